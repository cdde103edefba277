/* memory.h: freed heap memory given back to the kernel soon after something big went. */
#ifndef TERMIJN_MEMORY_H
#define TERMIJN_MEMORY_H

struct event_base;

void	memory_init(struct event_base *);
void	memory_stop(void);
/* Something big was freed (an answer of megabytes, renderings dropped): trim in a second. */
void	memory_trim_soon(void);
/* Bytes at and over which a freed answer asks for a trim. */
#define MEMORY_BIG	(1 << 20)

#endif
