/** The `User-Agent` the SDK sends (browsers may replace it with their own). */
export const SDK_USER_AGENT = 'herald-sdk/0.1.0';
