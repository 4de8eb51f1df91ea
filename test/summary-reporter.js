/**
 * Prints the plain closing line CI reads ("N passed, N failed, N skipped") as the very last
 * line of the run, after jest's own summary (written at exit: stderr is synchronous).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`;
    process.once('exit', () => process.stderr.write(`tests: ${line}\n`));
  }
}
module.exports = SummaryReporter;
