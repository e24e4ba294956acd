// Group commit by hand: work for one key (a digital title) that arrives while a call for that key
// is running waits in the key's lane, and everything waiting goes together in the next call. An
// idle lane sends a lone request at once (no timer, so no added latency); under a burst the
// batches grow by themselves to what arrived during the previous call. Within a lane, batches run
// one after another in arrival order. One Lanes per process: several processes each batch their
// own arrivals, and the database (locks, constraints) orders them among each other.

interface Waiting<I, O> {
  input: I;
  resolve: (o: O | PromiseLike<O>) => void;
  reject: (e: unknown) => void;
}

export class Lanes<I, O> {
  private readonly lanes = new Map<string, Waiting<I, O>[]>();

  /**
   * @param run does one batch: an answer (or a promise of one) per input, in input order. A
   *   rejection of `run` rejects every input of the batch.
   * @param maxBatch the most inputs per call
   */
  constructor(private readonly run: (batch: I[]) => Promise<(O | Promise<O>)[]>, private readonly maxBatch: number) {}

  submit(key: string, input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const waiting = this.lanes.get(key);
      if (waiting) {
        waiting.push({ input, resolve, reject });
        return;
      }
      const lane: Waiting<I, O>[] = [{ input, resolve, reject }];
      this.lanes.set(key, lane);
      void this.drain(key, lane);
    });
  }

  /** How many inputs wait or run in `key`'s lane (0 when idle). */
  pending(key: string): number {
    return this.lanes.get(key)?.length ?? 0;
  }

  private async drain(key: string, lane: Waiting<I, O>[]): Promise<void> {
    try {
      while (lane.length) {
        // the batch stays in the lane while it runs, so newcomers see a busy lane and wait
        const batch = lane.slice(0, this.maxBatch);
        try {
          const answers = await this.run(batch.map((w) => w.input));
          batch.forEach((w, i) => (i < answers.length ? w.resolve(answers[i]!) : w.reject(new Error('lanes: no answer for this input'))));
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
        lane.splice(0, batch.length);
      }
    } finally {
      this.lanes.delete(key);
    }
  }
}
