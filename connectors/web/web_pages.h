// The pages of the web page (connectors/web/assets), on the HTTP listener of
// `logweave serve`:
//   /               open findings by kind and severity, newest first, polled live
//   /search         the trace search form and a paged result table
//   /trace/<id>     the trace's waterfall: a lane per service, its findings
//   /rules          the rule views: canary checks, daily cost, drift
//   /assets/<name>  their CSS and JS
// The pages hold no data: their scripts read it from /api (web_api.h), with
// the token the user gives them when the listener asks for one. So the pages
// themselves are open, like /healthz.
#ifndef LOGWEAVE_CONNECTORS_WEB_WEB_PAGES_H_
#define LOGWEAVE_CONNECTORS_WEB_WEB_PAGES_H_

#include "connectors/http/listener.h"

namespace logweave {

// Routes the pages and assets above on `listener`. Unknown asset names answer 404.
void AddWebPages(HttpListener& listener);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_WEB_WEB_PAGES_H_
