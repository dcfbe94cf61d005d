/**
 * The sandbox's generated readings, fetched over HTTP: the demo members' documented quirks, day
 * totals that agree with their slots, "today" up to the last completed local hour, local days in
 * the member's zone (DST included), and plausible ranges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/node';
import { getSummaries } from '../../src/sandbox/testing/oauth-driver';
import { addDays } from '../../src/shared/local-date';
import { dayOfYear, isWeekend } from '../../src/sandbox/time-zone';

const ZONE = 'Europe/Amsterdam';
/** Wednesday 2026-03-18, 14:37 local (CET). The last completed local hour ends at 14:00. */
const NOW = Date.UTC(2026, 2, 18, 13, 37);
const TODAY = '2026-03-18';
const CUTOFF = Date.UTC(2026, 2, 18, 13, 0);
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

type Slot = { timestamp: number; date: string } & Record<string, number | string>;
type Family = Record<string, unknown> & { slots?: Slot[]; slots_five_minutes?: Slot[] };
type Day = { date: string } & Partial<Record<'activity' | 'heart_rate' | 'sleep' | 'spo2' | 'stress' | 'respiration_rate' | 'temperature', Family>>;

let sandbox: RunningSandbox;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, timeZone: ZONE, now: () => NOW });
  for (const email of [ALICE, BOB]) tokens[email] = (await sandbox.control.issueTokens(email)).access_token;
});
afterAll(async () => {
  await sandbox?.close();
});

/** Every day in [from, to] over all pages. */
async function days(email: string, from: string, to: string, slots = false, running = sandbox, token = tokens[email]!): Promise<Day[]> {
  const out: Day[] = [];
  for (let page = 1; ; page++) {
    const response = await getSummaries(running.url, token, { date_from: from, date_to: to, per_page: '100', page: String(page), include_slots: slots ? '1' : '0' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: Day[]; last_page: number };
    out.push(...body.data);
    if (page >= body.last_page) return out;
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const localLabel = (timestamp: number, zone = ZONE) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(timestamp);

describe('demo member Alice', () => {
  it('should have local today from the sandbox clock and zone', () => {
    expect(sandbox.control.memberLocalToday(ALICE)).toBe(TODAY);
    expect(sandbox.control.memberTimeZone(ALICE)).toBe(ZONE);
  });

  it('should have data from 400 days ago through today except exactly 3 days ago', async () => {
    const all = await days(ALICE, addDays(TODAY, -365), TODAY);
    const older = await days(ALICE, addDays(TODAY, -410), addDays(TODAY, -366));
    const dates = [...older, ...all].map((day) => day.date);
    expect(dates[0]).toBe(addDays(TODAY, -400));
    expect(dates.at(-1)).toBe(TODAY);
    expect(dates).not.toContain(addDays(TODAY, -3));
    expect(dates).toContain(addDays(TODAY, -2));
    expect(dates).toContain(addDays(TODAY, -4));
    expect(dates).toHaveLength(400);
  });

  it('should have a null resting heart rate exactly on days whose day-of-year is a multiple of 5', async () => {
    const list = await days(ALICE, '2025-12-01', '2026-03-17');
    for (const day of list) {
      const rest = day.heart_rate?.rest_daily_heart_rate;
      if (dayOfYear(day.date) % 5 === 0) expect(rest, day.date).toBeNull();
      else expect(typeof rest, day.date).toBe('number');
    }
  });

  it('should have gait fields often null and total_glasses null on most days, always present as keys', async () => {
    const list = await days(ALICE, '2025-12-01', '2026-03-17');
    const share = (field: string) => list.filter((day) => day.activity?.[field] === null).length / list.length;
    for (const day of list) {
      for (const field of ['avg_gait_asymmetry', 'avg_gait_speed', 'avg_gait_var', 'total_glasses']) expect(day.activity).toHaveProperty(field);
    }
    expect(share('total_glasses')).toBeGreaterThan(0.6);
    expect(share('total_glasses')).toBeLessThan(1);
    for (const field of ['avg_gait_asymmetry', 'avg_gait_speed', 'avg_gait_var']) {
      expect(share(field)).toBeGreaterThan(0.3);
      expect(share(field)).toBeLessThan(0.95);
    }
  });

  it('should carry the invented extra families with consistent sleep totals', async () => {
    const list = await days(ALICE, '2026-03-01', '2026-03-07', true);
    for (const day of list) {
      const sleep = day.sleep!;
      const stage = (state: string) => sleep.slots!.filter((slot) => slot.sleep_state === state).length * 5;
      expect(sleep.light).toBe(stage('light'));
      expect(sleep.deep).toBe(stage('deep'));
      expect(sleep.rem).toBe(stage('rem'));
      expect(sleep.awake).toBe(stage('awake'));
      expect(sleep.total_duration).toBe(stage('light') + stage('deep') + stage('rem'));
      expect(Number(sleep.total_duration)).toBeGreaterThan(300);
      expect(Number(sleep.total_duration)).toBeLessThan(600);
      expect(Number(day.spo2!.avg_daily_spo2)).toBeGreaterThanOrEqual(92);
      expect(Number(day.temperature!.avg_daily_temperature)).toBeGreaterThan(36);
      expect(Number(day.temperature!.avg_daily_temperature)).toBeLessThan(37.5);
      const respiration = day.respiration_rate!;
      const mean = sum(respiration.slots!.map((slot) => Number(slot.respiration_rate))) / respiration.slots!.length;
      expect(respiration.avg_daily_respiration_rate).toBe(Math.round(mean * 10) / 10);
      expect(Math.round(sum(day.stress!.slots!.map((slot) => Number(slot.stress))) / day.stress!.slots!.length)).toBe(day.stress!.avg_daily_stress);
    }
  });

  it('should leave the extra families out when extraFamilies is false', async () => {
    const plain = await startSandbox({ port: 0, timeZone: ZONE, now: () => NOW, extraFamilies: false });
    try {
      const token = (await plain.control.issueTokens(ALICE)).access_token;
      const list = await days(ALICE, '2026-03-01', '2026-03-03', false, plain, token);
      for (const day of list) expect(Object.keys(day).sort()).toEqual(['activity', 'date', 'heart_rate']);
    } finally {
      await plain.close();
    }
  });
});

describe('demo member Bob', () => {
  it('should have 120 days ending yesterday and nothing for today', async () => {
    const list = await days(BOB, addDays(TODAY, -200), TODAY);
    expect(list).toHaveLength(120);
    expect(list[0]?.date).toBe(addDays(TODAY, -120));
    expect(list.at(-1)?.date).toBe(addDays(TODAY, -1));
  });

  it('should have only activity and heart_rate, with heart_rate absent on some days', async () => {
    const list = await days(BOB, addDays(TODAY, -120), TODAY);
    const missing = list.filter((day) => day.heart_rate === undefined).length;
    for (const day of list) expect(Object.keys(day).filter((key) => !['date', 'activity', 'heart_rate'].includes(key))).toEqual([]);
    expect(missing).toBeGreaterThan(3);
    expect(missing).toBeLessThan(40);
  });
});

describe('slots and totals', () => {
  it('should compute every day total from the slots it reports', async () => {
    const list = [...(await days(ALICE, '2026-02-15', TODAY, true)), ...(await days(BOB, '2026-02-15', TODAY, true))];
    expect(list.length).toBeGreaterThan(50);
    for (const day of list) {
      const activity = day.activity!;
      const minutes = activity.slots!;
      const steps = minutes.map((slot) => Number(slot.step_count));
      expect(activity.total_steps, day.date).toBe(sum(steps));
      expect(sum(activity.slots_five_minutes!.map((slot) => Number(slot.step_count)))).toBe(activity.total_steps);
      expect(activity.daily_percent).toBe(Math.round(Number(activity.total_steps) / 100));
      expect(activity.active_minutes).toBe(steps.filter((count) => count >= 60).length);
      for (const bucket of activity.slots_five_minutes!) {
        const inside = minutes.filter((slot) => slot.timestamp >= bucket.timestamp && slot.timestamp < bucket.timestamp + 300_000);
        expect(sum(inside.map((slot) => Number(slot.step_count)))).toBe(bucket.step_count);
      }
      // Distance follows steps: between a walking and a running stride.
      if (Number(activity.total_steps) > 0) {
        const stride = (Number(activity.distance) * 1000) / Number(activity.total_steps);
        expect(stride).toBeGreaterThan(0.65);
        expect(stride).toBeLessThan(1.1);
      }
      const heartRate = day.heart_rate;
      if (heartRate) {
        const bpms = heartRate.slots!.map((slot) => Number(slot.bpm));
        expect(heartRate.avg_daily_heart_rate).toBe(Math.round(sum(bpms) / bpms.length));
        expect(heartRate.max_daily_heart_rate).toBe(Math.max(...bpms));
        if (heartRate.rest_daily_heart_rate !== null) expect(Number(heartRate.rest_daily_heart_rate)).toBeGreaterThanOrEqual(Math.min(...bpms));
      }
    }
  });

  it('should stamp slots in epoch ms UTC, ascending, on the grid, labelled with local HH:mm', async () => {
    const [day] = await days(ALICE, '2026-03-10', '2026-03-10', true);
    const start = Date.UTC(2026, 2, 9, 23, 0);
    for (const [family, grid] of [['activity', 60_000], ['heart_rate', 300_000], ['spo2', 1_800_000]] as const) {
      const slots = day![family]!.slots!;
      expect(slots.length).toBeGreaterThan(10);
      slots.forEach((slot, i) => {
        expect(slot.timestamp).toBeGreaterThan(1e12);
        expect((slot.timestamp - start) % grid).toBe(0);
        expect(slot.timestamp).toBeGreaterThanOrEqual(start);
        expect(slot.timestamp).toBeLessThan(start + 86_400_000);
        expect(slot.date).toBe(localLabel(slot.timestamp));
        if (i > 0) expect(slot.timestamp).toBeGreaterThan(slots[i - 1]!.timestamp);
      });
    }
    expect(day!.heart_rate!.slots!.length).toBeLessThanOrEqual(288);
  });

  it('should report today only up to the last completed local hour', async () => {
    const [today] = await days(ALICE, TODAY, TODAY, true);
    for (const family of ['activity', 'heart_rate', 'spo2'] as const) {
      const slots = today![family]!.slots!;
      const interval = family === 'activity' ? 60_000 : family === 'heart_rate' ? 300_000 : 1_800_000;
      expect(Math.max(...slots.map((slot) => slot.timestamp + interval))).toBeLessThanOrEqual(CUTOFF);
    }
    expect(today!.heart_rate!.slots!.at(-1)?.date).toBe('13:55');
  });

  it('should keep today stable within the hour and grow it in the next hour', async () => {
    const query = { date_from: TODAY, date_to: TODAY, include_slots: '1' };
    const at = async (ms: number) => {
      sandbox.control.setNow(ms);
      try {
        const token = (await sandbox.control.issueTokens(ALICE)).access_token;
        return (await (await getSummaries(sandbox.url, token, query)).json()) as { data: Day[] };
      } finally {
        sandbox.control.setNow(null);
      }
    };
    const early = await at(Date.UTC(2026, 2, 18, 13, 1));
    expect(early.data).toHaveLength(1);
    const late = await at(Date.UTC(2026, 2, 18, 13, 59));
    const next = await at(Date.UTC(2026, 2, 18, 14, 1));
    expect(JSON.stringify(late)).toBe(JSON.stringify(early));
    const slots = (body: { data: Day[] }) => body.data[0]!.heart_rate!.slots!;
    expect(slots(next).length).toBe(slots(early).length + 12);
    // The earlier slots do not change once the hour is complete.
    expect(slots(next).slice(0, slots(early).length)).toEqual(slots(early));
    const full = (await days(ALICE, TODAY, TODAY, true))[0]!;
    expect(full.heart_rate!.slots!).toEqual(slots(early));
  });

  it('should have 23 hours of slots on the spring-forward day, with no 02:xx labels', async () => {
    const [day] = await days(ALICE, '2026-03-29', '2026-03-29', true).catch(() => [undefined]);
    // 2026-03-29 is after the fixed "today"; read it from a sandbox whose clock is later.
    const later = await startSandbox({ port: 0, timeZone: ZONE, now: () => Date.UTC(2026, 3, 10, 12, 0) });
    try {
      const token = (await later.control.issueTokens(ALICE)).access_token;
      const [dst] = await days(ALICE, '2026-03-29', '2026-03-29', true, later, token);
      expect(day).toBeUndefined();
      const labels = dst!.heart_rate!.slots!.map((slot) => slot.date);
      expect(labels.some((label) => label.startsWith('02:'))).toBe(false);
      expect(dst!.heart_rate!.slots!.length).toBeLessThanOrEqual(276);
      expect(Math.max(...dst!.heart_rate!.slots!.map((slot) => slot.timestamp))).toBeLessThan(Date.UTC(2026, 2, 29, 22, 0));
    } finally {
      await later.close();
    }
  });
});

describe('member time zones', () => {
  it('should use each member its own local today', async () => {
    // 2026-03-18 20:30 UTC is 09:30 on the 19th in Auckland and 13:30 on the 18th in Los Angeles.
    const running = await startSandbox({
      port: 0,
      now: () => Date.UTC(2026, 2, 18, 20, 30),
      members: [
        { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', email: 'kiwi@example.com', password: 'x', name: 'Kiwi', timeZone: 'Pacific/Auckland', history: { firstDaysAgo: 5, lastDaysAgo: 0 }, profile: { restingHeartRate: 55, stepsFactor: 1, strideMeters: 0.7 } },
        { id: 'bbbbbbbbbbbbbbbbbbbbbbbb', email: 'la@example.com', password: 'y', name: 'LA', timeZone: 'America/Los_Angeles', history: { firstDaysAgo: 5, lastDaysAgo: 0 }, profile: { restingHeartRate: 60, stepsFactor: 1, strideMeters: 0.75 } },
      ],
    });
    try {
      expect(running.control.memberLocalToday('kiwi@example.com')).toBe('2026-03-19');
      expect(running.control.memberLocalToday('la@example.com')).toBe('2026-03-18');
      const token = (await running.control.issueTokens('kiwi@example.com')).access_token;
      const list = await days('kiwi@example.com', '2026-03-10', '2026-03-25', true, running, token);
      expect(list.at(-1)?.date).toBe('2026-03-19');
      const slot = list.at(-1)!.heart_rate!.slots![0]!;
      expect(slot.date).toBe(localLabel(slot.timestamp, 'Pacific/Auckland'));
    } finally {
      await running.close();
    }
  });

  it('should refuse an unknown time zone when created', async () => {
    await expect(startSandbox({ port: 0, timeZone: 'Mars/Olympus_Mons' })).rejects.toThrow(/Mars\/Olympus_Mons/);
  });
});

describe('realism', () => {
  it('should keep a year of readings in plausible ranges with a weekday/weekend pattern', async () => {
    const list = (await days(ALICE, addDays(TODAY, -365), addDays(TODAY, -1))).filter((day) => day.heart_rate);
    const values = (field: string, family: 'heart_rate' | 'activity' = 'heart_rate') =>
      list.map((day) => day[family]![field]).filter((value): value is number => typeof value === 'number');
    const expectWithin = (numbers: number[], min: number, max: number) => {
      expect(numbers.length).toBeGreaterThan(250);
      expect(Math.min(...numbers)).toBeGreaterThanOrEqual(min);
      expect(Math.max(...numbers)).toBeLessThanOrEqual(max);
    };
    expectWithin(values('rest_daily_heart_rate'), 50, 65);
    expectWithin(values('avg_daily_heart_rate'), 65, 80);
    expectWithin(values('max_daily_heart_rate'), 110, 170);
    expectWithin(values('total_steps', 'activity'), 2000, 16000);
    const rests = values('rest_daily_heart_rate');
    expect(Math.max(...rests) - Math.min(...rests)).toBeGreaterThan(5);
    const mean = (numbers: number[]) => sum(numbers) / numbers.length;
    const weekday = mean(list.filter((day) => !isWeekend(day.date)).map((day) => Number(day.activity!.total_steps)));
    const weekend = mean(list.filter((day) => isWeekend(day.date)).map((day) => Number(day.activity!.total_steps)));
    expect(weekday - weekend).toBeGreaterThan(800);
  });
});

describe('generation speed', () => {
  it('should serve 90 days with slots from a fresh sandbox in well under a second', async () => {
    // A fresh instance: nothing memoised yet, so this measures generation, not the cache.
    const fresh = await startSandbox({ port: 0, timeZone: ZONE, now: () => NOW });
    try {
      const token = (await fresh.control.issueTokens(ALICE)).access_token;
      const started = performance.now();
      const response = await getSummaries(fresh.url, token, { date_from: addDays(TODAY, -89), date_to: TODAY, per_page: '100', include_slots: '1' });
      const body = (await response.json()) as { data: Day[] };
      const elapsed = performance.now() - started;
      expect(response.status).toBe(200);
      expect(body.data).toHaveLength(89);
      expect(body.data.every((day) => (day.activity?.slots?.length ?? 0) > 0)).toBe(true);
      expect(elapsed).toBeLessThan(1000);
    } finally {
      await fresh.close();
    }
  });
});
