/** Shown instead of any sensitive value: listings never decrypt, and the mask gives nothing of the value away. */
export const SENSITIVE_MASK = '••••••';
