/* The procfs floor for one process's fd table: what any tool must do at least to list its fds,
 * their targets and their flags: readdir /proc/PID/fd, readlinkat each entry, open+read+close its
 * fdinfo. Nothing else (no parsing, no sockets, no identity). Prints one line per run: milliseconds.
 * Usage: procfs-floor PID RUNS */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  char path[64], link[4096], info[4096];
  int runs = atoi(argv[2]);
  for (int r = 0; r < runs; r++) {
    double start = now_ms();
    long fds = 0;
    snprintf(path, sizeof path, "/proc/%s/fdinfo", argv[1]);
    int infoDir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    snprintf(path, sizeof path, "/proc/%s/fd", argv[1]);
    DIR *dir = opendir(path);
    if (!dir || infoDir < 0) return 1;
    int fdDir = dirfd(dir);
    for (struct dirent *e; (e = readdir(dir));) {
      if (e->d_name[0] == '.') continue;
      if (readlinkat(fdDir, e->d_name, link, sizeof link) < 0) continue;
      int f = openat(infoDir, e->d_name, O_RDONLY | O_CLOEXEC);
      if (f < 0) continue;
      if (read(f, info, sizeof info) > 0) fds++;
      close(f);
    }
    closedir(dir);
    close(infoDir);
    printf("%.3f %ld\n", now_ms() - start, fds);
  }
  return 0;
}
