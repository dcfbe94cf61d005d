/** A CardioMood member the sandbox knows: credentials for its login page and the shape of its data. */
export interface SandboxMember {
  /** 24-hex, MongoDB ObjectId-like (docs/cardiomood-api.md §2.3): the access token's `sub`. */
  id: string;
  email: string;
  password: string;
  name: string;
  /** IANA zone of the member's phone; summary days are local days there. Default: the sandbox's zone. */
  timeZone?: string;
  /** Data covers local days from `firstDaysAgo` before the member's local today up to `lastDaysAgo` (0 = today). */
  history: { firstDaysAgo: number; lastDaysAgo: number };
  /** Days (counted back from local today) with no data at all: they are left out of /user-summaries. */
  missingDaysAgo?: number[];
  /** Share (0–1) of days whose `heart_rate` sub-object is absent (watch not worn, nothing synced). */
  heartRateMissingRate?: number;
  /** `heart_rate.rest_daily_heart_rate` is null on days whose day-of-year is a multiple of 5. */
  nullRestHeartRateEveryFifthDay?: boolean;
  /** Also return the invented sleep/spo2/stress/respiration_rate/temperature families (when the sandbox enables them). */
  extraFamilies?: boolean;
  /** Baselines of the generator. */
  profile: { restingHeartRate: number; stepsFactor: number; strideMeters: number };
}

/** Shown on the sandbox login page: demo accounts, not secrets. */
export const DEMO_MEMBERS: readonly SandboxMember[] = [
  {
    id: '64b7f0c2a1d3e4f5a6b7c8d1',
    email: 'alice@example.com',
    password: 'alice-demo',
    name: 'Alice',
    history: { firstDaysAgo: 400, lastDaysAgo: 0 },
    missingDaysAgo: [3],
    nullRestHeartRateEveryFifthDay: true,
    extraFamilies: true,
    profile: { restingHeartRate: 57, stepsFactor: 1, strideMeters: 0.72 },
  },
  {
    id: '64b7f0c2a1d3e4f5a6b7c8d2',
    email: 'bob@example.com',
    password: 'bob-demo',
    name: 'Bob',
    // 120 days ending yesterday: today is "not synced yet".
    history: { firstDaysAgo: 120, lastDaysAgo: 1 },
    heartRateMissingRate: 0.15,
    profile: { restingHeartRate: 61, stepsFactor: 0.85, strideMeters: 0.78 },
  },
];
