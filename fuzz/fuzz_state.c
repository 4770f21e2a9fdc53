/*
 * fuzz_state.c - libFuzzer target: the state file's reader
 * (daemon/state_file.c) and what a record does to a target's results
 * (results_restore), fed any bytes.
 *
 * Each input is read twice: as it is (the checksum refuses most), and
 * with its last 4 bytes replaced by the right CRC32C, so that the record
 * walk and the restore see the fuzzer's bytes.  Never a crash, never a
 * read out of bounds (ASan); every record state_check() passes is walked
 * and restored onto a fresh target with a ring of 1 + byte % 64.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "state.h"

static void
fuzz_one(const unsigned char *buf, size_t len, unsigned ring)
{
	static struct results_detail det;
	struct state_header h;
	struct state_iter it;
	struct state_rec rec;
	struct hist_entry *hist;
	struct addr_result *each;
	struct results r, saved;
	char why[160];

	if (state_check(buf, len, &h, &it, why, sizeof(why)) == -1)
		return;
	while (state_next(&it, &rec) == 1) {
		results_init(&r, ring);
		if (rec.res == NULL)
			continue;
		memcpy(&saved, rec.res, sizeof(saved));
		if (rec.detail != NULL)
			memcpy(&det, rec.detail, sizeof(det));
		hist = NULL;
		if (rec.nhist > 0 && (hist = malloc(rec.nhist *
		    sizeof(*hist))) != NULL)
			memcpy(hist, rec.hist, rec.nhist * sizeof(*hist));
		(void)results_restore(&r, &saved,
		    rec.detail != NULL ? &det : NULL, hist,
		    hist != NULL ? rec.nhist : 0, (int64_t)saved.probes);
		if (results_state(&r) > TARGET_FLAPPING)
			abort();
		free(hist);
		if (rec.neach > 0 && (each = malloc(rec.neach *
		    sizeof(*each))) != NULL) {
			memcpy(each, rec.each, rec.neach * sizeof(*each));
			(void)results_restore_each(&r, each, rec.neach);
			free(each);
		}
		results_free(&r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy;
	uint32_t crc;

	fuzz_one(data, size, 1 + (size > 0 ? data[size - 1] % 64 : 0));
	if (size < 4 || (copy = malloc(size)) == NULL)
		return 0;
	memcpy(copy, data, size);
	crc = state_crc(0, copy, size - 4);
	memcpy(copy + size - 4, &crc, 4);
	fuzz_one(copy, size, 1 + (size > 8 ? data[8] % 64 : 0));
	free(copy);
	return 0;
}
