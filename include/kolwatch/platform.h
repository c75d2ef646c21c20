/* The fixed platform and deliverable ids every interface uses (DESIGN). */
#ifndef KOLWATCH_PLATFORM_H
#define KOLWATCH_PLATFORM_H

#ifdef __cplusplus
extern "C" {
#endif

/* NULL-terminated lists. */
extern const char *const kw_platforms[];
extern const char *const kw_deliverables[];

/* 1 if name is one of the lists' ids (exact, lower-case). */
int kw_platform_valid(const char *name);
int kw_deliverable_valid(const char *name);

#ifdef __cplusplus
}
#endif
#endif
