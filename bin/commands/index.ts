import type { CommandFactory } from './context';
import { replayQueueCommand } from './replay-queue';
import { reprocessCommand } from './reprocess';
import { scanCommand } from './scan';
import { testRulesCommand } from './test-rules';
import { verifyCommand } from './verify';

/**
 * Every `trailwatch` command, in help order. Adding one: a module in this folder exporting a
 * CommandFactory, and one line here.
 */
export const COMMANDS: readonly CommandFactory[] = [
  scanCommand,
  testRulesCommand,
  replayQueueCommand,
  reprocessCommand,
  verifyCommand,
];
