/**
 * Prices behind the cost estimate: us-east-1, on-demand, as of 2026-11-24 (DynamoDB
 * on-demand throughput as reduced on 2024-11-01; Lambda arm64 duration as published since
 * Graviton2 launched). Change them here if AWS does.
 */
export const PRICES = {
  asOf: '2026-11-24, us-east-1',
  /** DynamoDB on-demand, per write request unit (1 KB of the larger of old/new item). */
  dynamoDbWriteRequestUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit (4 KB strongly consistent, or 2 × 4 KB eventually consistent). */
  dynamoDbReadRequestUnit: 0.125 / 1e6,
  /** DynamoDB Standard table class storage, per GB-month. */
  dynamoDbStorageGbMonth: 0.25,
  /** Lambda arm64 duration, per GB-second (first pricing tier). */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda requests; not incremental here (the delivery's invocation runs anyway), shown for a standalone deployment. */
  lambdaRequest: 0.2 / 1e6,
  /** CloudTrail Insights: USD 0.35 per 100,000 events analysed, per Insights type. */
  insightsPerMillionEventsPerType: 3.5,
} as const;

export interface CostInputs {
  readonly deliveries: number;
  readonly events: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Analyser CPU (ms) plus modelled DynamoDB round-trip waits (ms), summed over deliveries. */
  readonly lambdaMs: number;
  readonly lambdaMemoryGb: number;
  /** Bytes stored per account-region at steady state, and the period the events cover (days). */
  readonly storedBytes: number;
  readonly days: number;
}

export interface CostPerMillion {
  readonly dynamoDbReads: number;
  readonly dynamoDbWrites: number;
  readonly dynamoDbStorage: number;
  readonly lambdaDuration: number;
  readonly total: number;
  /** Per delivery, all components: what one account-region's five minutes cost whatever its volume. */
  readonly perDelivery: number;
  readonly standaloneLambdaRequests: number;
}

export function costPerMillion(c: CostInputs): CostPerMillion {
  const perMillion = (usd: number): number => (usd / c.events) * 1e6;
  const reads = c.readUnits * PRICES.dynamoDbReadRequestUnit;
  const writes = c.writeUnits * PRICES.dynamoDbWriteRequestUnit;
  const storage = (c.storedBytes / 1e9) * PRICES.dynamoDbStorageGbMonth * (c.days / 30);
  const lambda = (c.lambdaMs / 1000) * c.lambdaMemoryGb * PRICES.lambdaArmGbSecond;
  const total = reads + writes + storage + lambda;
  return {
    dynamoDbReads: perMillion(reads),
    dynamoDbWrites: perMillion(writes),
    dynamoDbStorage: perMillion(storage),
    lambdaDuration: perMillion(lambda),
    total: perMillion(total),
    perDelivery: total / c.deliveries,
    standaloneLambdaRequests: perMillion(c.deliveries * PRICES.lambdaRequest),
  };
}
