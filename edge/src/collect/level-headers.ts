/** The headers of a collect answer (and of `/v1/decide`'s) that say at which degradation level its actions were decided. */

/** The level (`full`, `popularity`, `live_only`, `data_only`). */
export const LEVEL_HEADER = 'x-sf-level';
/** Why the level is not `full`: the edge's signal that set it (`outbox_depth` …), or `upstream:<part>`. */
export const LEVEL_REASON_HEADER = 'x-sf-level-reason';
