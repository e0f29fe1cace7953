export { type AgentCacheInput, type AgentCachePolicy, assertCacheable, cachePolicyOf } from "./policy";
export { type CachedAnswer, type CacheRequest, type ResponseCache } from "./port";
