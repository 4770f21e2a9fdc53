/* heap.h - hints to malloc for a million targets (heap.c) */
#ifndef FUTD_HEAP_H
#define FUTD_HEAP_H

#include <stddef.h>

void		 heap_prepare(size_t);
void		 heap_done(void);
void		 heap_hint(void *, size_t);

#endif /* FUTD_HEAP_H */
