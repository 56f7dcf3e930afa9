/*
 * emit_numpy: (stub while being written) see emit_numpy.h.
 */
#include "emit_numpy.h"

int emit_numpy_program(struct strbuf *out, const struct plan *plan, const struct ir_program *progs,
		       struct diags *diags)
{
	(void)out;
	(void)plan;
	(void)progs;
	return diag_error(diags, NULL, "internal error: the numpy emitter is not written yet");
}
