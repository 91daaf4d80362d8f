import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AlertRule } from '@dema/contracts';
import { deliver, EmailChannel, SlackChannel, SmsChannel, type AlertNotification } from '../src/index.ts';
import { HttpReceiver, memoryLogger, SmtpReceiver } from './alerting-receivers.ts';

/** Each channel against a local server speaking its protocol, and the retry policy around them. */
const rule: AlertRule = {
  name: 'High Error Rate',
  condition: 'requests.failed / requests.total > threshold',
  threshold: 0.01,
  duration: '1m',
  severity: 'critical',
  channels: ['slack', 'sms', 'email'],
};
const firedAt = new Date('2026-11-25T10:00:00.000Z');
const firing = (): AlertNotification => ({ rule, event: 'firing', value: 0.25, firedAt });
const resolved = (): AlertNotification => ({ rule, event: 'resolved', value: 0, firedAt, resolvedAt: new Date('2026-11-25T10:05:00.000Z') });
const quick = { attempts: 3, baseDelayMs: 40 };

/** A local port that refuses connections: a server that is no longer there. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Slack channel', () => {
  let slack: HttpReceiver;
  before(async () => (slack = await HttpReceiver.start()));
  after(() => slack.close());

  test('posts incoming-webhook JSON whose text names the alert and its state', async () => {
    slack.received.length = 0;
    await new SlackChannel(`${slack.url}/services/T000/B000/XXXX`).send(firing());
    await new SlackChannel(`${slack.url}/services/T000/B000/XXXX`).send(resolved());
    assert.equal(slack.received.length, 2);
    const [first, second] = slack.received.map((d) => ({
      ...d,
      json: JSON.parse(d.body) as { text: string; attachments: Array<{ color: string; text: string }> },
    }));
    assert.equal(first!.method, 'POST');
    assert.equal(first!.url, '/services/T000/B000/XXXX');
    assert.match(String(first!.headers['content-type']), /^application\/json/);
    assert.equal(first!.json.text, '[FIRING] High Error Rate (critical)');
    assert.equal(first!.json.attachments[0]!.color, 'danger');
    assert.match(first!.json.attachments[0]!.text, /requests\.failed \/ requests\.total > threshold \(threshold 0\.01, for 1m\)/);
    assert.match(first!.json.attachments[0]!.text, /Value: 0\.25/);
    assert.equal(second!.json.text, '[RESOLVED] High Error Rate (critical)');
    assert.equal(second!.json.attachments[0]!.color, 'good');
    assert.match(second!.json.attachments[0]!.text, /Resolved at: 2026-11-25T10:05:00\.000Z/);
  });

  test('treats a non-2xx answer as a failure', async () => {
    slack.failNext = 1;
    await assert.rejects(new SlackChannel(slack.url).send(firing()), /Slack webhook answered 500: internal_error/);
  });
});

describe('email channel', () => {
  let smtp: SmtpReceiver;
  before(async () => (smtp = await SmtpReceiver.start({ user: 'alerts@shop.test', pass: 's3cret pass' })));
  after(() => smtp.close());

  test('sends one message over SMTP, authenticated, to every recipient', async () => {
    smtp.messages.length = 0;
    const channel = new EmailChannel({ smtpUrl: smtp.url, from: 'dema@shop.test', to: ['ops@shop.test', 'cto@shop.test'] });
    try {
      await channel.send(firing());
    } finally {
      channel.close();
    }
    assert.equal(smtp.messages.length, 1);
    const [message] = smtp.messages;
    assert.equal(message!.user, 'alerts@shop.test');
    assert.equal(message!.from, 'dema@shop.test');
    assert.deepEqual(message!.to, ['ops@shop.test', 'cto@shop.test']);
    assert.equal(SmtpReceiver.subject(message!), '[FIRING] High Error Rate (critical)');
    assert.match(message!.data, /^To: ops@shop\.test, cto@shop\.test$/m);
    const text = SmtpReceiver.text(message!);
    assert.match(text, /^Condition: requests\.failed \/ requests\.total > threshold \(threshold 0\.01, for 1m\)$/m);
    assert.match(text, /^Value: 0\.25$/m);
    assert.match(text, /^Firing since: 2026-11-25T10:00:00\.000Z$/m);
  });

  test('fails when the server refuses the credentials', async () => {
    const channel = new EmailChannel({ smtpUrl: smtp.url.replace('s3cret%20pass', 'wrong'), from: 'dema@shop.test', to: ['ops@shop.test'] });
    try {
      await assert.rejects(channel.send(firing()), /535|Invalid login/i);
    } finally {
      channel.close();
    }
  });
});

describe('SMS channel', () => {
  let provider: HttpReceiver;
  before(async () => (provider = await HttpReceiver.start()));
  after(() => provider.close());

  test('posts a Twilio-style form to {base}/Messages with basic auth, one per recipient', async () => {
    provider.received.length = 0;
    const channel = new SmsChannel({
      url: `${provider.url}/2010-04-01/Accounts/AC123/`,
      account: 'AC123',
      token: 'tok en',
      from: '+15550001',
      to: ['+15550002', '+15550003'],
    });
    await channel.send(firing());
    assert.deepEqual(
      provider.received.map((d) => [d.method, d.url]),
      [
        ['POST', '/2010-04-01/Accounts/AC123/Messages'],
        ['POST', '/2010-04-01/Accounts/AC123/Messages'],
      ],
    );
    for (const [i, d] of provider.received.entries()) {
      assert.equal(d.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(Buffer.from(String(d.headers.authorization).replace(/^Basic /, ''), 'base64').toString(), 'AC123:tok en');
      const form = new URLSearchParams(d.body);
      assert.equal(form.get('To'), ['+15550002', '+15550003'][i]);
      assert.equal(form.get('From'), '+15550001');
      assert.equal(form.get('Body'), '[FIRING] High Error Rate (critical): requests.failed / requests.total > threshold = 0.25');
    }
  });

  test('a retry reaches only the recipients the failed try missed', async () => {
    provider.received.length = 0;
    let refusedOnce = false;
    provider.refuse = (d) => {
      if (refusedOnce || new URLSearchParams(d.body).get('To') !== '+15550003') return false;
      refusedOnce = true;
      return true;
    };
    try {
      const { log } = memoryLogger();
      const channel = new SmsChannel({ url: provider.url, account: undefined, token: undefined, from: '+1', to: ['+15550002', '+15550003'] });
      const delivery = await deliver(channel, firing(), quick, log);
      assert.equal(delivery.delivered, true);
      assert.equal(delivery.attempts, 2);
      assert.deepEqual(
        provider.received.map((d) => new URLSearchParams(d.body).get('To')),
        ['+15550002', '+15550003'],
      );
      assert.equal(provider.received[0]!.headers.authorization, undefined);
    } finally {
      provider.refuse = undefined;
    }
  });
});

describe('delivery with retries', () => {
  test('retries a failing channel with growing waits until it accepts, logging each failure', async () => {
    const slack = await HttpReceiver.start();
    try {
      slack.failNext = 2;
      const { log, lines } = memoryLogger();
      const started = Date.now();
      const delivery = await deliver(new SlackChannel(slack.url), firing(), quick, log);
      const took = Date.now() - started;
      assert.deepEqual({ ...delivery, at: undefined }, { channel: 'slack', event: 'firing', delivered: true, attempts: 3, at: undefined });
      assert.equal(slack.refused, 2);
      assert.equal(slack.received.length, 1);
      // Waits of 40 ms then 80 ms between the three tries.
      assert.ok(took >= 120, `took ${took} ms`);
      const warnings = lines.filter((l) => l.msg === 'alert delivery failed; will retry');
      assert.deepEqual(
        warnings.map((l) => [l.channel, l.attempt]),
        [
          ['slack', 1],
          ['slack', 2],
        ],
      );
      assert.match(String(warnings[0]!.err), /answered 500/);
    } finally {
      await slack.close();
    }
  });

  test('gives up after the last try, records why and logs an error; never throws', async () => {
    const port = await closedPort();
    const { log, lines } = memoryLogger();
    const delivery = await deliver(new SmsChannel({ url: `http://127.0.0.1:${port}`, account: 'a', token: 't', from: '+1', to: ['+2'] }), firing(), quick, log);
    assert.equal(delivery.delivered, false);
    assert.equal(delivery.attempts, 3);
    assert.match(delivery.error!, /fetch failed|ECONNREFUSED/);
    assert.equal(lines.filter((l) => l.msg === 'alert delivery failed; will retry').length, 2);
    const final = lines.find((l) => l.msg === 'alert delivery failed; giving up');
    assert.equal(final?.level, 50);
    assert.equal(final?.channel, 'sms');
  });

  test('an SMTP server that says "try again later" gets the message on the next try, once', async () => {
    const smtp = await SmtpReceiver.start();
    const channel = new EmailChannel({ smtpUrl: smtp.url, from: 'dema@shop.test', to: ['ops@shop.test'] });
    try {
      smtp.failNext = 1;
      const delivery = await deliver(channel, resolved(), quick, memoryLogger().log);
      assert.equal(delivery.delivered, true);
      assert.equal(delivery.attempts, 2);
      assert.equal(smtp.refused, 1);
      assert.equal(smtp.messages.length, 1);
      assert.equal(SmtpReceiver.subject(smtp.messages[0]!), '[RESOLVED] High Error Rate (critical)');
    } finally {
      channel.close();
      await smtp.close();
    }
  });
});
