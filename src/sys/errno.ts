// Moved to the restart package (packages/restart/src/sys/errno.ts), which the tutor shares.
export * from '@hotrestart-tutor/restart/internal/sys/errno';
