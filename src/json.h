/* json.h: the little JSON writing the CLI needs. */
#ifndef SERENITY_JSON_H
#define SERENITY_JSON_H

#include <stdio.h>

/* Writes s as a JSON string literal, quotes included. */
void json_str(FILE *f, const char *s);

#endif
