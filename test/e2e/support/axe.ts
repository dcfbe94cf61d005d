import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../src/dev/project-root';
import type { UiPage } from '../../../src/dev/ui-page';

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

let axeSource: Promise<string> | undefined;

/**
 * Runs axe-core in the page and returns its violations. The source is evaluated through the
 * automation protocol (not a <script> tag), which the extension pages' CSP and Trusted Types do not
 * apply to, so the pages are checked with their real policy in place.
 */
export async function runAxe(page: UiPage): Promise<AxeViolation[]> {
  axeSource ??= readFile(join(PROJECT_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const source = await axeSource;
  // Firefox throttles timers in background tabs, and axe runs in timer-sized chunks.
  await page.bringToFront();
  return page.evaluate(async (code: string) => {
    // Indirect eval: defines window.axe in the page's global scope.
    (0, eval)(code);
    const axe = (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.map(String).join(' ')),
    }));
  }, source);
}

/** The violations a page must not have: serious or critical. */
export function seriousViolations(violations: AxeViolation[]): AxeViolation[] {
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
