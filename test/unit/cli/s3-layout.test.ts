import { dayFolders, parseS3Url } from '../../../lib/scan/s3-layout';
import { ScanInputError } from '../../../lib/scan/errors';

describe('scan s3://: the URL and the day folders', () => {
  it('lists the UTC days [from, to) touches: --to at midnight excludes that day, a time inside includes it', () => {
    expect(dayFolders(new Date('2026-11-20T00:00Z'), new Date('2026-11-22T00:00Z'))).toEqual(['2026/11/20', '2026/11/21']);
    expect(dayFolders(new Date('2026-11-20T23:59Z'), new Date('2026-11-22T00:01Z'))).toEqual(['2026/11/20', '2026/11/21', '2026/11/22']);
    expect(dayFolders(new Date('2026-12-31T12:00Z'), new Date('2027-01-01T12:00Z'))).toEqual(['2026/12/31', '2027/01/01']);
  });

  it('treats the prefix as a folder and refuses what is not a bucket URL', () => {
    expect(parseS3Url('s3://org-trail-logs')).toEqual({ bucket: 'org-trail-logs', prefix: '' });
    expect(parseS3Url('s3://org-trail-logs/AWSLogs')).toEqual({ bucket: 'org-trail-logs', prefix: 'AWSLogs/' });
    expect(parseS3Url('s3://org-trail-logs/AWSLogs/')).toEqual({ bucket: 'org-trail-logs', prefix: 'AWSLogs/' });
    expect(() => parseS3Url('s3://Not_A_Bucket/x')).toThrow(ScanInputError);
    expect(() => parseS3Url('s3://')).toThrow(ScanInputError);
  });
});
