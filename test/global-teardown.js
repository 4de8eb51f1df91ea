const { rmSync } = require('node:fs');

module.exports = async () => {
  const dir = process.env.TRAILWATCH_TEMPLATE_CACHE;
  if (dir) rmSync(dir, { recursive: true, force: true });
};
