/*
 * answer.h
 *	  What the receiver answers, worked out without HTTP: a status and a
 *	  body, which http.c sends, counts and logs.
 */
#ifndef CT_ANSWER_H
#define CT_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct CtAnswer
{
	int			status;			/* 429 and 503 also ask for a retry later */
	char	   *body;			/* malloc'd; freed once sent */
	bool		json;			/* else Prometheus text */
	bool		log_bytes;		/* the log line gives its size; else bytes=0 */
	bool		close;			/* then close the connection */
} CtAnswer;

extern CtAnswer ct_answer_firehose(const char *body, size_t len, const char *type, int wait_ms);
extern CtAnswer ct_answer_health(void);
extern CtAnswer ct_answer_health_known(void);
extern CtAnswer ct_answer_metrics(void);
extern CtAnswer ct_answer_unauthorized(void);
extern CtAnswer ct_answer_too_big(void);
extern CtAnswer ct_answer_over_budget(void);
extern CtAnswer ct_answer_busy(void);
extern CtAnswer ct_answer_nul_byte(void);
extern CtAnswer ct_answer_bad_framing(void);
extern CtAnswer ct_answer_wrong_method(void);
extern CtAnswer ct_answer_not_found(void);

#endif							/* CT_ANSWER_H */
