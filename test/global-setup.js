const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

/**
 * One folder per jest run for the CloudFormation templates that
 * test/integration/packaged-template.ts packages: each parameter list once per run, shared
 * by the workers (they inherit this environment).
 */
module.exports = async () => {
  process.env.TRAILWATCH_TEMPLATE_CACHE = mkdtempSync(path.join(tmpdir(), 'trailwatch-templates-'));
};
