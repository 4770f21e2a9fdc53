/* slab.h - the rings and the results_detail (slab.c) */
#ifndef FUTD_SLAB_H
#define FUTD_SLAB_H

#include <stddef.h>

void		*slab_alloc(size_t);
void		 slab_free(void *, size_t);

#endif /* FUTD_SLAB_H */
