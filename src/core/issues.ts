/**
 * Findings about untrusted input: counted per kind, with the first few places kept as samples.
 * Never thrown: readers and decoders record them and keep going. Mergeable (for split windows).
 */
export interface IssueSample {
  kind: string;
  /** Object URI or file path. */
  source: string;
  /** 1-based line number, when known. */
  line?: number;
  column?: string;
  message: string;
}

/** The JSON form of an {@link IssueLog} (as in `execution.json` `issues`). */
export interface IssueLogJSON {
  total: number;
  counts: Record<string, number>;
  samples: IssueSample[];
}

/**
 * Findings about untrusted input, counted per kind with the first few places kept as samples
 * (`maxSamples`, default 20). Never thrown; mergeable.
 */
export class IssueLog {
  readonly counts = new Map<string, number>();
  readonly samples: IssueSample[] = [];
  total = 0;

  constructor(readonly maxSamples = 20) {}

  /** Counts one finding (its sample kept while fewer than `maxSamples` are). */
  add(sample: IssueSample): void {
    this.total++;
    this.counts.set(sample.kind, (this.counts.get(sample.kind) ?? 0) + 1);
    if (this.samples.length < this.maxSamples) this.samples.push(sample);
  }

  /**
   * Counts `n` occurrences of a kind without keeping a sample (for informational kinds such as
   * records outside the window, whose samples would crowd out the real problems).
   */
  tally(kind: string, n = 1): void {
    if (n <= 0) return;
    this.total += n;
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  /** Adds another log's counts and samples to this one. */
  merge(other: IssueLog | IssueLogJSON): this {
    const counts = other instanceof IssueLog ? other.counts : Object.entries(other.counts);
    for (const [kind, n] of counts) {
      this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
      this.total += n;
    }
    for (const s of other.samples) if (this.samples.length < this.maxSamples) this.samples.push(s);
    return this;
  }

  /** The JSON form (counts by kind, samples). */
  toJSON(): IssueLogJSON {
    const counts: Record<string, number> = Object.create(null);
    for (const [k, v] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) counts[k] = v;
    return { total: this.total, counts, samples: this.samples };
  }

  /** A log from its JSON form. */
  static fromJSON(json: IssueLogJSON, maxSamples = 20): IssueLog {
    return new IssueLog(maxSamples).merge(json);
  }
}
