import type { Finding, Severity } from '../findings';
import { CHAIN_PROBLEMS, type DigestVerdict, type LogFileVerdict } from './verdicts';

const RUNBOOK_BASE = 'README.md#log-file-integrity';

/** The integrity findings, each with its severity and what to do (README "Log file integrity"). */
export const INTEGRITY_RULES = {
  digestInvalid: {
    ruleId: 'integrity-digest-invalid',
    severity: 'CRITICAL',
    title: 'CloudTrail digest file invalid: signature does not verify or the digest was moved',
    runbook:
      `${RUNBOOK_BASE} — Treat the trail's logs for the digest's hour as untrusted. Check the bucket's CloudTrail data events / S3 server access logs ` +
      'for PutObject/CopyObject on the digest key, compare with `aws cloudtrail validate-logs`, restrict write access to the bucket (bucket policy, Object Lock).',
  },
  logModified: {
    ruleId: 'integrity-log-file-modified',
    severity: 'CRITICAL',
    title: 'CloudTrail log file modified after delivery: hash differs from the digest',
    runbook:
      `${RUNBOOK_BASE} — The events in this file cannot be trusted: an earlier version may exist (versioned bucket: list object versions). ` +
      'Find who wrote the key (S3 data events), and investigate the hour\'s activity from another source (CloudTrail Lake, event history).',
  },
  logMissing: {
    ruleId: 'integrity-log-file-missing',
    severity: 'HIGH',
    title: 'CloudTrail log file listed in a digest is missing',
    runbook:
      `${RUNBOOK_BASE} — Someone deleted a log file (or a lifecycle rule expired it). Check DeleteObject in S3 data events / server access logs, ` +
      'restore a previous version if the bucket is versioned, and review the lifecycle configuration.',
  },
  logUnlisted: {
    ruleId: 'integrity-log-file-unlisted',
    severity: 'HIGH',
    title: 'Log file in the trail folder that no digest lists (possibly injected)',
    runbook:
      `${RUNBOOK_BASE} — CloudTrail lists every file it delivers; a file no digest lists was likely written by someone else. ` +
      'Find the writer in S3 data events and do not trust its records.',
  },
  logOverwritten: {
    ruleId: 'integrity-log-file-overwritten',
    severity: 'CRITICAL',
    title: 'CloudTrail log file overwritten: a key already delivered now holds other content',
    runbook:
      `${RUNBOOK_BASE} — CloudTrail never rewrites a log file. List the key's versions (versioned bucket) for the original, find the ` +
      'PutObject/CopyObject in S3 data events or server access logs, and treat the new content as untrusted.',
  },
  logDeleted: {
    ruleId: 'integrity-log-file-deleted',
    severity: 'HIGH',
    title: 'CloudTrail log file deleted: a request removed a delivered log file',
    runbook:
      `${RUNBOOK_BASE} — CloudTrail never deletes what it delivered. Find the DeleteObject (S3 data events, server access logs; the ` +
      'requester is in the EventBridge event), restore the file (versioned bucket: remove the delete marker or copy the previous version back), ' +
      'and investigate the hour it covered from another source (CloudTrail Lake, event history).',
  },
  digestDeleted: {
    ruleId: 'integrity-digest-deleted',
    severity: 'HIGH',
    title: 'CloudTrail digest file deleted: a request removed a delivered digest',
    runbook:
      `${RUNBOOK_BASE} — Deleting a digest hides which log files an hour had and breaks the chain. Find the DeleteObject (S3 data events, ` +
      'server access logs), restore the digest (versioned bucket), and run `trailwatch verify` over the surrounding hours.',
  },
  chainBroken: {
    ruleId: 'integrity-digest-chain-broken',
    severity: 'HIGH',
    title: 'CloudTrail digest chain broken: previous digest missing or changed',
    runbook:
      `${RUNBOOK_BASE} — A digest was deleted or replaced mid-chain, hiding the log files it listed. Check DeleteObject/PutObject on the ` +
      'CloudTrail-Digest/ prefix, restore the previous version, and run `trailwatch verify` over the surrounding hours.',
  },
} as const satisfies Record<string, { ruleId: string; severity: Severity; title: string; runbook: string }>;

type IntegrityRule = (typeof INTEGRITY_RULES)[keyof typeof INTEGRITY_RULES];

/**
 * Findings for one digest check. The dedup key names the rule and the object, so a digest
 * re-delivered or re-checked alerts once (alert ledger), and two digests listing one
 * modified file alert once for it.
 */
export function integrityFindings(verdict: DigestVerdict, logFiles: readonly LogFileVerdict[], accountId?: string, region?: string): Finding[] {
  const findings: Finding[] = [];
  const digestProblems = verdict.problems.filter((p) => !CHAIN_PROBLEMS.has(p.code));
  const chainProblems = verdict.problems.filter((p) => CHAIN_PROBLEMS.has(p.code));
  const base = { accountId, region, count: 1 } as const;
  if (digestProblems.length > 0) {
    findings.push(make(INTEGRITY_RULES.digestInvalid, verdict.digest, digestProblems.map((p) => p.message).join('; '), { ...base, problems: digestProblems.map((p) => p.code) }));
  }
  if (chainProblems.length > 0) {
    findings.push(make(INTEGRITY_RULES.chainBroken, verdict.digest, chainProblems.map((p) => p.message).join('; '), { ...base, problems: chainProblems.map((p) => p.code) }));
  }
  for (const v of logFiles) {
    if (v.status === 'valid') continue;
    const rule = v.status === 'modified' ? INTEGRITY_RULES.logModified : v.status === 'missing' ? INTEGRITY_RULES.logMissing : INTEGRITY_RULES.logUnlisted;
    const listedIn = v.digest ? ` (listed in s3://${v.digest.bucket}/${v.digest.key})` : '';
    const what =
      v.status === 'modified'
        ? `s3://${v.logFile.bucket}/${v.logFile.key} hashes to ${v.actualHash}, the digest recorded ${v.expectedHash}${listedIn}`
        : v.status === 'missing'
          ? `s3://${v.logFile.bucket}/${v.logFile.key} is not in the bucket${listedIn}`
          : `s3://${v.logFile.bucket}/${v.logFile.key} is listed by no digest`;
    findings.push(make(rule, v.logFile, what, { ...base, digest: v.digest, expectedHash: v.expectedHash, actualHash: v.actualHash }));
  }
  return findings;
}

function make(
  rule: IntegrityRule,
  object: { bucket: string; key: string },
  description: string,
  extra: { accountId?: string; region?: string; count: number } & Record<string, unknown>,
): Finding {
  const { accountId, region, count, ...details } = extra;
  return {
    ruleId: rule.ruleId,
    title: rule.title,
    severity: rule.severity,
    source: 'integrity',
    description,
    runbook: rule.runbook,
    ...(accountId === undefined ? {} : { accountId }),
    ...(region === undefined ? {} : { region }),
    object: { bucket: object.bucket, key: object.key },
    count,
    dedupKey: `integrity#${rule.ruleId}#${object.bucket}/${object.key}`,
    details: Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)),
  };
}

/**
 * A CloudTrail log or digest file deleted by a request, from the deletion event alone (no
 * read of the bucket): found in the invocation the event reaches. One alert per deletion
 * event (sequencer, else version), so a re-delivered event alerts once.
 */
export function fileDeletedFinding(
  kind: 'log' | 'digest',
  removed: { bucket: string; key: string; versionId?: string; sequencer?: string; deleteMarker: boolean; event: string },
  accountId?: string,
  region?: string,
): Finding {
  const rule = kind === 'log' ? INTEGRITY_RULES.logDeleted : INTEGRITY_RULES.digestDeleted;
  const how = removed.deleteMarker
    ? 'a delete marker now hides it (versioned bucket: the previous version can be restored)'
    : removed.versionId !== undefined
      ? `version ${removed.versionId} was permanently deleted`
      : 'permanently deleted';
  const finding = make(rule, removed, `s3://${removed.bucket}/${removed.key} deleted (${removed.event}): ${how}`, {
    accountId,
    region,
    count: 1,
    event: removed.event,
    deleteMarker: removed.deleteMarker,
    versionId: removed.versionId,
    sequencer: removed.sequencer,
  });
  const occurrence = removed.sequencer ?? removed.versionId;
  return occurrence === undefined ? finding : { ...finding, dedupKey: `${finding.dedupKey}#${occurrence}` };
}

/** A log key forwarded before with other content: overwritten after delivery. */
export function logFileOverwrittenFinding(logFile: { bucket: string; key: string }, before: string, now: string, accountId?: string, region?: string): Finding {
  const finding = make(INTEGRITY_RULES.logOverwritten, logFile, `s3://${logFile.bucket}/${logFile.key} now hashes to ${now}; when first forwarded it hashed to ${before}`, {
    accountId,
    region,
    count: 1,
    previousHash: before,
    actualHash: now,
  });
  // each overwrite (new content) is its own event: one alert per content, not per key
  return { ...finding, dedupKey: `${finding.dedupKey}#${now}` };
}
