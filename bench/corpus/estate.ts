/**
 * The resources an account in the corpus owns: buckets, keys, tables, log groups, VPC
 * pieces. Ids are derived from the account id, so records in different files of one
 * account name the same resources, as real traffic does.
 */
import type { RecordContext } from './principals';
import { type Rng, stableChars, stableUuid } from './rng';

export const BUCKETS = ['acme-orders-exports', 'acme-static-assets', 'acme-data-lake-raw', 'acme-terraform-state', 'acme-app-artifacts'] as const;
export const LOG_GROUPS = ['/aws/lambda/orders-api', '/aws/lambda/payments-worker', '/aws/lambda/ingest-s3-trigger', '/ecs/catalog-service', '/aws/eks/prod/cluster'] as const;
export const TABLES = ['orders', 'payments', 'catalog-items', 'sessions', 'idempotency'] as const;
export const FUNCTIONS = ['orders-api', 'orders-api-authorizer', 'payments-worker', 'ingest-s3-trigger', 'ingest-compactor'] as const;
export const PARAMETERS = ['/orders/prod/db-host', '/orders/prod/feature-flags', '/payments/prod/provider-endpoint', '/catalog/prod/cache-ttl', '/shared/prod/vpc-id'] as const;
export const SECRETS = ['prod/orders/db-credentials', 'prod/payments/provider-api-key', 'prod/catalog/search-token'] as const;
export const STACKS = ['orders-api-prod', 'payments-prod', 'network-baseline', 'catalog-service-prod'] as const;
export const KEY_ALIASES = ['alias/orders-data', 'alias/payments-data', 'alias/aws/s3', 'alias/aws/lambda'] as const;
export const TRAIL_NAME = 'management-trail';

export function kmsKeyId(ctx: RecordContext, index: number): string {
  return stableUuid(`kms:${ctx.accountId}:${ctx.region}:${index}`);
}

export function kmsKeyArn(ctx: RecordContext, index: number): string {
  return `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${kmsKeyId(ctx, index)}`;
}

export function randomKeyArn(rng: Rng, ctx: RecordContext): string {
  return kmsKeyArn(ctx, rng.int(0, 3));
}

/** EC2-style ids: a prefix and 17 hex characters, stable per account/region/name. */
export function ec2Id(ctx: RecordContext, prefix: string, name: string): string {
  return `${prefix}-${stableChars(`${prefix}:${ctx.accountId}:${ctx.region}:${name}`, 'hex', 17)}`;
}

export function instanceId(rng: Rng, ctx: RecordContext): string {
  return ec2Id(ctx, 'i', String(rng.int(0, 11)));
}

export function vpcId(ctx: RecordContext, name = 'prod'): string {
  return ec2Id(ctx, 'vpc', name);
}

export function securityGroupId(rng: Rng, ctx: RecordContext): string {
  return ec2Id(ctx, 'sg', String(rng.int(0, 7)));
}

export function subnetId(rng: Rng, ctx: RecordContext): string {
  return ec2Id(ctx, 'subnet', String(rng.int(0, 5)));
}

export function trailArn(ctx: RecordContext, name = TRAIL_NAME): string {
  return `arn:aws:cloudtrail:${ctx.region}:${ctx.accountId}:trail/${name}`;
}

export function functionArn(ctx: RecordContext, name: string): string {
  return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`;
}

export function secretArn(ctx: RecordContext, name: string): string {
  return `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${stableChars(`secret:${name}`, 'alnum', 6)}`;
}

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

/** Private addresses of the account's VPC (10.0.0.0/16); never routable, never a real host. */
export function privateIp(rng: Rng): string {
  return `10.0.${rng.int(0, 63)}.${rng.int(4, 250)}`;
}
