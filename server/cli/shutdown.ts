// Clean shutdown on Ctrl-C or SIGTERM: stop work, close the database, then exit. A second
// Ctrl-C exits at once.
export function waitForShutdown(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolveDone) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`\nvigil: ${signal} again, exiting now.\n`);
        process.exit(130);
      }
      stopping = true;
      process.stderr.write('\nvigil: stopping…\n');
      stop().then(
        () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolveDone();
        },
        (error: unknown) => {
          process.stderr.write(`vigil: error while stopping: ${(error as Error).message}\n`);
          resolveDone();
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
