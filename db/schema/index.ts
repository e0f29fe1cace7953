export * from "./users";
export * from "./audit";
export * from "./api-keys";
export * from "./conversations";
export * from "./settings";
export * from "./traces";
export * from "./breakers";
export * from "./rate-limits";
