import type { AuditLog, Checkpoint } from '@dmp/storage';
import type { CheckpointKey } from './checkpoint-key';
import { signCheckpoint } from './checkpoint-jws';

export interface CheckpointerOptions {
  log: AuditLog;
  key: CheckpointKey;
  /** Sign a checkpoint after this many new events (default 1000). */
  everyEvents?: number;
  now?: () => Date;
}

/**
 * Signs the chain head every N appended events (`noteAppended`) and, when started, every T
 * seconds if the head moved. Checkpoints are stored in the log and served to auditors.
 */
export class Checkpointer {
  private sinceLast = 0;
  private running: Promise<Checkpoint | undefined> | undefined;
  private readonly everyEvents: number;
  private readonly now: () => Date;

  constructor(private readonly options: CheckpointerOptions) {
    this.everyEvents = options.everyEvents ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  get key(): CheckpointKey {
    return this.options.key;
  }

  /** Counts appended events; signs a checkpoint when N is reached. */
  async noteAppended(count: number): Promise<void> {
    this.sinceLast += count;
    if (this.sinceLast >= this.everyEvents) await this.checkpoint();
  }

  /** Signs the current head if it moved since the last checkpoint (serialized). */
  checkpoint(): Promise<Checkpoint | undefined> {
    this.running ??= this.signHead().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Starts the T-second timer (unref'd: it never keeps the process alive); returns a stopper.
   * A failed checkpoint is reported to `onError` and retried at the next tick.
   */
  start(intervalMs: number, onError: (error: unknown) => void = () => undefined): () => void {
    const timer = setInterval(() => void this.checkpoint().catch(onError), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async signHead(): Promise<Checkpoint | undefined> {
    this.sinceLast = 0;
    const head = await this.options.log.head();
    const last = (await this.options.log.checkpoints()).at(-1);
    if (head.seq === 0 || (last && last.seq >= head.seq)) return undefined;
    const time = this.now().toISOString();
    const checkpoint: Checkpoint = {
      ...head,
      time,
      jws: signCheckpoint(this.options.key.privateKey, this.options.key.kid, { ...head, time }),
    };
    await this.options.log.addCheckpoint(checkpoint);
    return checkpoint;
  }
}
