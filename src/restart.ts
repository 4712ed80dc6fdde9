// `hotrestart-tutor/restart`, kept for those who imported the module from the tutor: it is its own
// package now, @hotrestart-tutor/restart (packages/restart).
export * from '@hotrestart-tutor/restart';
