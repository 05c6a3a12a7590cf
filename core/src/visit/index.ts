/** The open session the VisitorDO keeps and the signals over it. */
export { OPEN_SESSION_LIMITS, emptyOpenSession, isOpenSession, type OpenSession, type PageScroll, type ViewedProduct } from './open-session.js';
export { LEAVE_TRACK, PRODUCT_VIEW_TRACK, foldEvent, foldEvents, isInteraction } from './fold.js';
export { cartUnits } from './cart.js';
export { nameOf, nameProp, quantityProp } from './props.js';
export { baselineWith, type SessionBaseline } from './baseline.js';
export {
  SIGNAL_SCALES,
  activeDwell,
  behaviouralDeviation,
  categoryIntent,
  engagementIntensity,
  interactionFrequency,
  scrollDepth,
  sessionDuration,
  topCategory,
} from './signals.js';
export { RISK_SCALES, bounceRisk, cartAbandonmentRisk, idleShare } from './risks.js';
export { signalsOf, type SessionSignals } from './signals-of.js';
