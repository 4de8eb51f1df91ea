/** One message received from the failure queue. */
export interface QueueMessage {
  readonly id: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** How often the queue has handed it out (SQS ApproximateReceiveCount). */
  readonly receiveCount?: number;
}

/**
 * Port: the failure queue (SQS in AWS, the local SQS test server in tests). A received
 * message is hidden from other readers until it is deleted or released.
 */
export interface FailureQueue {
  /** Up to `max` (1–10) messages; [] when none is visible. */
  receive(max: number): Promise<QueueMessage[]>;
  /** Removes a message whose delivery was replayed. */
  delete(message: QueueMessage): Promise<void>;
  /** Makes a message visible again at once (its replay failed; it stays on the queue). */
  release(message: QueueMessage): Promise<void>;
}
