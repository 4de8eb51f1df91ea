/**
 * Port: remembers which findings were already alerted, so that the same CloudTrail event
 * (same rule, same eventID) alerts once even when it arrives in two deliveries, or the
 * same delivery is processed twice. Claims are atomic: of two concurrent claimers of one
 * key, exactly one gets it.
 */
export interface AlertLedger {
  /** Claims the keys not claimed before; returns the ones this call claimed. */
  claim(keys: readonly string[]): Promise<Set<string>>;
  /** Gives keys back (the alert could not be sent), so that a retry alerts again. */
  release(keys: readonly string[]): Promise<void>;
}

/** In-memory ledger for the CLI and unit tests (one process only). */
export class MemoryAlertLedger implements AlertLedger {
  private readonly claimed = new Set<string>();
  async claim(keys: readonly string[]): Promise<Set<string>> {
    const mine = new Set<string>();
    for (const k of keys) {
      if (!this.claimed.has(k)) {
        this.claimed.add(k);
        mine.add(k);
      }
    }
    return mine;
  }
  async release(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.claimed.delete(k);
  }
}
