import { buildNotification, chatSafe, CHAT_LIMITS, publishBytes, type ChatNotification } from '../../../lib/notify';
import { finding, findingStorm, hostile, LOG_GROUP, NOW, oneCritical, processedReport, thousandFindings } from '../../fixtures/notify/scenarios';

const chat = (report = oneCritical()) => {
  const n = buildNotification(report, { logGroup: LOG_GROUP, format: 'chat', now: () => NOW });
  if (!n) throw new Error('no notification');
  return { notification: n, body: JSON.parse(n.message) as ChatNotification };
};

/** Every string a chat client renders as markdown. */
const rendered = (b: ChatNotification): string[] => [
  b.content.title,
  // lines are the renderer's own separator; no value can add one
  ...b.content.description.split('\n'),
  ...b.content.nextSteps,
  ...b.content.keywords,
  b.metadata.summary,
  ...b.metadata.relatedResources,
];

describe('chat notifications (Amazon Q Developer custom notifications)', () => {
  it('has the custom-notification shape: version 1.0, source custom, client-markdown, threaded by account and region', () => {
    // Act
    const { body, notification } = chat();

    // Assess
    expect(body).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown' },
      metadata: { threadId: 'trailwatch-111122223333-us-east-1', eventType: 'trailwatch.delivery' },
    });
    expect(body.content.title).toContain('[CRITICAL] Root account used to sign in to the console in 111122223333 us-east-1');
    expect(body.content.keywords).toEqual(expect.arrayContaining(['CRITICAL', 'cis-3.3-root-account-usage']));
    expect(notification.messageAttributes.format?.StringValue).toBe('chat');
  });

  it('headline = the most severe finding, one message for the whole delivery, within the budgets', () => {
    // Act
    const { body, notification } = chat(thousandFindings());

    // Assess
    expect(body.content.title).toMatch(/^\S+ \[CRITICAL\]/);
    expect([...body.content.description].length).toBeLessThanOrEqual(CHAT_LIMITS.description);
    expect([...body.content.title].length).toBeLessThanOrEqual(CHAT_LIMITS.title);
    expect(body.content.description).toMatch(/…and \d+ more rules/);
    expect(publishBytes(notification)).toBeLessThanOrEqual(262_144);
  });

  it('a storm reads as the true count', () => {
    const { body } = chat(findingStorm());
    expect(body.content.title).toMatch(/x10,000/);
  });

  it('hostile log values never become a link, a mention or markup', () => {
    // Prepare: a finding whose every field tries something
    const attack = finding({
      title: '@channel <!here> *bold* _it_ ~s~ `code` [click](https://evil.example/x) <https://evil.example|bank> # heading',
      principal: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/@here', userName: '<@U024BE7LH>' },
      sourceIPAddress: 'evil.example',
      eventName: '[x](javascript:alert(1))',
      runbook: 'Call @everyone at www.evil.example or http://evil.example',
      dedupKey: 'attack',
    });

    // Act
    const texts = [...rendered(chat(processedReport([attack])).body), ...rendered(chat(hostile()).body)];

    // Assess
    for (const text of texts) {
      expect(text).not.toMatch(/@(channel|here|everyone)|<[!@#]|<https?:|\]\(|evil\.example|:\/\/evil|`/);
      // eslint-disable-next-line no-control-regex -- the test looks for control characters
      expect(text).not.toMatch(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069\u200b]/);
    }
    const description = chat(processedReport([attack])).body.content.description;
    // visible, not hidden: the reader still sees what was written
    expect(description).toContain('＠channel');
    expect(description).toContain('evil[.]example');
  });

  it('chatSafe keeps ordinary values readable', () => {
    expect(chatSafe('arn:aws:iam::111122223333:role/ops')).toBe('arn:aws:iam::111122223333:role/ops');
    expect(chatSafe('203.0.113.7')).toBe('203.0.113.7');
    expect(chatSafe('signin.amazonaws.com')).toBe('signin[.]amazonaws[.]com');
  });
});
