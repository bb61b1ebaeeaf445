import 'server-only';
import type { WarmupStrategy } from '../../warmup/strategy';
import { sessionsStrategy } from './sessions-strategy';

/** The identity context's warmup strategies. */
export const identityStrategies: WarmupStrategy[] = [sessionsStrategy];
