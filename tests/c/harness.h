/* Minimal test harness for the plain C tests: CHECK records a failure and keeps going; the run
 * ends with the standard line "N passed, N failed". */
#ifndef OSSBRIDGE_TEST_HARNESS_H
#define OSSBRIDGE_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

static int harness_passed, harness_failed, harness_current_failed;

#define CHECK(cond)                                                                    \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      fprintf(stderr, "    %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);     \
      harness_current_failed = 1;                                                      \
    }                                                                                  \
  } while (0)

#define CHECK_STR(actual, expected)                                                     \
  do {                                                                                  \
    const char *a_ = (actual), *e_ = (expected);                                        \
    if (a_ == NULL || e_ == NULL || strcmp(a_, e_) != 0) {                              \
      fprintf(stderr, "    %s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
              #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)");                         \
      harness_current_failed = 1;                                                       \
    }                                                                                   \
  } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                      \
  do {                                                                                        \
    const char *h_ = (haystack), *n_ = (needle);                                              \
    if (h_ == NULL || strstr(h_, n_) == NULL) {                                               \
      fprintf(stderr, "    %s:%d: %s = \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
              #haystack, h_ ? h_ : "(null)", n_);                                             \
      harness_current_failed = 1;                                                             \
    }                                                                                         \
  } while (0)

#define RUN(test)                                         \
  do {                                                    \
    harness_current_failed = 0;                           \
    test();                                               \
    if (harness_current_failed) {                         \
      harness_failed++;                                   \
      printf("FAIL %s\n", #test);                         \
    } else {                                              \
      harness_passed++;                                   \
      printf("ok   %s\n", #test);                         \
    }                                                     \
    fflush(stdout);                                       \
  } while (0)

#define HARNESS_SUMMARY()                                          \
  (printf("%d passed, %d failed\n", harness_passed, harness_failed), \
   harness_failed == 0 ? 0 : 1)

#endif
