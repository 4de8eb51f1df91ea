import { assertProperty } from './fuzz';
import { triggerProperties } from './properties';

/** The trigger parsers (readTrigger / objectRefsFrom, SQS bodies) on arbitrary and mutated real events. */
describe('fuzz: trigger parsers', () => {
  it.each(triggerProperties().map((p) => [p.name, p]))('%s', async (_name, p) => {
    await assertProperty(p, 400);
  });
});
