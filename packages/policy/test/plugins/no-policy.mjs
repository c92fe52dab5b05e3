// Exports no policy.
export const something = 1;
