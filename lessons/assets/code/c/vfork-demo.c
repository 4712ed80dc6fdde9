/*
 * vfork-demo: a process in state D (lesson 11), made without root and without a stuck device.
 *
 * vfork(2) suspends the parent until the child calls execve or exits: the child borrows the parent's
 * memory, so the parent must not run meanwhile. The parent waits in the kernel (kernel_clone), and
 * /proc/PID/stat shows it in state D, "disk sleep". Here the child execs nothing: it sleeps for
 * argv[1] milliseconds (at most 10 s), then _exit(0)s, and only then does the parent go on and exit.
 * The parent handles SIGTERM (a no-op handler): a SIGTERM sent meanwhile stays pending, since only a
 * fatal signal ends this wait; SIGKILL does, at once.
 *
 * In a vfork child only _exit and the exec family are strictly allowed; nanosleep is a plain system
 * call that touches no shared state (the parent's stack frame is left alone), which Linux tolerates.
 *
 * Build: cc -o vfork-demo vfork-demo.c (lesson 11 builds it with src/lesson/cbuild.ts and shows the [vfork]
 * region).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void on_term(int sig) { (void)sig; }

int main(int argc, char **argv) {
    /* A handler for SIGTERM, as a server has: a handled signal is not fatal, so it does not end the wait. */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_term;
    sigaction(SIGTERM, &action, NULL);
    long ms = argc > 1 ? atol(argv[1]) : 3000;
    if (ms < 0 || ms > 10000) ms = 3000;
    struct timespec nap = { ms / 1000, (ms % 1000) * 1000000L };
    // [vfork]
    pid_t child = vfork();     // the parent waits in the kernel: state D | zh: 父进程在内核里等待：状态 D
    if (child == 0) {
        nanosleep(&nap, NULL); // borrowing the parent's memory | zh: 借用着父进程的内存
        _exit(0);              // only now does the parent go on | zh: 直到这时父进程才继续
    }
    // [/vfork]
    if (child < 0) return 1;
    waitpid(child, NULL, 0);
    return 0;
}
