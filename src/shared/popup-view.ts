import { z } from 'zod';
import { glanceSchema } from './glance';
import { POPUP_VIEW_VERSION } from './popup-view-keys';
import { settingsSchema } from './settings';

/**
 * What the popup needs to paint readings in its first frame, derived and token-free: the glance and
 * the display settings it is rendered with. The background writes it (POPUP_VIEW_KEYS); the popup
 * imports only the type, so no zod reaches its first-paint code, and checks `v` itself.
 */
export const popupViewSchema = z.object({
  v: z.literal(POPUP_VIEW_VERSION),
  glance: glanceSchema,
  units: settingsSchema.shape.units,
  temperature: settingsSchema.shape.temperature,
  /** Tile/metric ids the member chose to hide. */
  hidden: settingsSchema.shape.hiddenTiles,
  /** Epoch ms when the background wrote this view. */
  savedAt: z.number(),
});
export type PopupView = z.infer<typeof popupViewSchema>;
