/*
 * The registry library: it holds no code yet (see the design's layout). It is
 * built now so that the dependency graph and the build stay as designed.
 */
const char kw_registry_module[] = "registry";
