/* The sentiment library: placeholder until the scorer lands. */
const char kw_sentiment_module[] = "sentiment";
