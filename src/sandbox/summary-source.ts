import type { SandboxMember } from './demo-members';
import { generateDay, type SummaryDay, type SummaryType } from './generate-day';
import { createPrng, hashSeed } from './prng';
import { addDays } from '../shared/local-date';
import { dayNumber, localDate, startOfLocalHour } from './time-zone';

export interface SummarySourceOptions {
  now: () => number;
  /** The sandbox's zone, used for members without their own. */
  timeZone: string;
  extraFamilies: boolean;
}

/** Generated days are kept this many at a time (a full day with slots is a few hundred objects). */
const CACHE_SIZE = 600;

export type SummarySource = ReturnType<typeof createSummarySource>;

/** A member's days with data, in the member's local calendar, generated on demand and cached. */
export function createSummarySource(options: SummarySourceOptions) {
  const cache = new Map<string, SummaryDay>();
  const zoneOf = (member: SandboxMember) => member.timeZone ?? options.timeZone;
  const today = (member: SandboxMember) => localDate(options.now(), zoneOf(member));

  /** Whether the member has a summary for this date at all (cheap: no generation). */
  function hasData(member: SandboxMember, date: string, localToday: string): boolean {
    const daysAgo = dayNumber(localToday) - dayNumber(date);
    return daysAgo >= member.history.lastDaysAgo && daysAgo <= member.history.firstDaysAgo && !(member.missingDaysAgo ?? []).includes(daysAgo);
  }

  function day(member: SandboxMember, date: string, localToday: string): SummaryDay {
    const timeZone = zoneOf(member);
    // Today: only slots that ended by the last full local hour, so totals are stable within the hour.
    const cutoff = date === localToday ? startOfLocalHour(options.now(), timeZone) : Number.POSITIVE_INFINITY;
    const key = `${member.id}|${date}|${cutoff}|${timeZone}|${options.extraFamilies}`;
    let value = cache.get(key);
    if (value) {
      cache.delete(key);
    } else {
      value = generateDay({ member, date, timeZone, cutoff, extraFamilies: options.extraFamilies });
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    }
    cache.set(key, value);
    return value;
  }

  /**
   * Whether a day that has data has at least one of `types`. Past days always carry every family
   * they can have, so only heart_rate's "missing" draw matters; today is generated to be exact.
   */
  function hasAnyType(member: SandboxMember, date: string, localToday: string, types: readonly SummaryType[]): boolean {
    if (date === localToday) {
      const generated = day(member, date, localToday);
      return types.some((type) => generated[type] !== undefined);
    }
    return types.some((type) => {
      if (type === 'activity') return true;
      if (type === 'heart_rate') return !createPrng(hashSeed(member.id, date, 'hr-missing')).chance(member.heartRateMissingRate ?? 0);
      return options.extraFamilies && member.extraFamilies === true;
    });
  }

  return {
    timeZoneOf: zoneOf,
    localToday: today,

    /** Dates with data in [from, to] (inclusive), ascending; with `types`, only days having one of them. */
    datesWithData(member: SandboxMember, from: string, to: string, types?: readonly SummaryType[]): string[] {
      const localToday = today(member);
      const first = addDays(localToday, -member.history.firstDaysAgo);
      const last = addDays(localToday, -member.history.lastDaysAgo);
      const dates: string[] = [];
      const start = from > first ? from : first;
      const end = to < last ? to : last;
      for (let date = start; date <= end; date = addDays(date, 1)) {
        if (!hasData(member, date, localToday)) continue;
        if (types && !hasAnyType(member, date, localToday, types)) continue;
        dates.push(date);
      }
      return dates;
    },

    day(member: SandboxMember, date: string): SummaryDay {
      return day(member, date, today(member));
    },
  };
}
