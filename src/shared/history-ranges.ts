/**
 * The history ranges, in days, that the side panel offers and the background answers (`getHistory`);
 * the longest is how many days of records the background keeps. Plain data without zod, so a page can
 * import it at runtime.
 */
export const HISTORY_RANGES = [7, 30, 90] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];
