// Moved to the restart package (packages/restart/src/sys/sockaddr.ts), which the tutor shares.
export * from '@hotrestart-tutor/restart/internal/sys/sockaddr';
