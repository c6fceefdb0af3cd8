/** Tyche's version, as in package.json (a test keeps the two equal); written into InferenceData's attributes. */
export const version = "0.1.0";
