import { z } from 'zod';
import { ERROR_CODES } from './error-codes';

export const appErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });
