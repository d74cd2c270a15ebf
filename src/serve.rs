//! **serve**: the JSON API and the web pages, over one index.
//!
//! `GET /api/search`, `/api/documents/{id}`, `/api/provisions/{id}`,
//! `/api/status/{id}?on=D`, `/api/changes`, `/api/health` answer JSON in the
//! shapes of the CLI's `--json`; `/feed.atom` is the Atom feed of the
//! changes ([`crate::feed`]); `/`, `/doc/{id}`, `/status` and `/changes`
//! (最近变化) are the pages (Chinese, server-rendered, no script needed). Every request is bounded in time and
//! in result size; errors are JSON with a status code and a message. The
//! reader reloads when an ingest commits.

use crate::index::GongbaoIndex;
use crate::query::{resolve_id, search, SearchRequest, SearchResponse};
use crate::record::DocumentRecord;
use crate::status::{incoming, status, Status, StatusReport};
use crate::structure::{flatten, Provision};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tantivy::{IndexReader, ReloadPolicy};

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most hits one request returns.
pub const MAX_LIMIT: usize = 100;
/// How long one request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What every handler shares.
pub struct AppState {
    pub ix: GongbaoIndex,
    pub reader: IndexReader,
}

/// Open the index for serving: the reader follows the ingests' commits.
pub fn state(dir: &std::path::Path) -> crate::Result<Arc<AppState>> {
    let ix = GongbaoIndex::open(dir)?;
    let reader = ix
        .index
        .reader_builder()
        .reload_policy(ReloadPolicy::OnCommitWithDelay)
        .try_into()
        .map_err(|e: tantivy::TantivyError| crate::Error::Index { path: dir.to_owned(), reason: e.to_string() })?;
    Ok(Arc::new(AppState { ix, reader }))
}

/// The routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/api/health", get(api_health))
        .route("/api/search", get(api_search))
        .route("/api/documents/{*id}", get(api_document))
        .route("/api/provisions/{*id}", get(api_provision))
        .route("/api/status/{*id}", get(api_status))
        .route("/api/changes", get(api_changes))
        .route("/feed.atom", get(feed_atom))
        .route("/changes", get(page_changes))
        .route("/", get(page_search))
        .route("/doc/{*id}", get(page_document))
        .route("/status", get(page_status))
        .route("/style.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("web/style.css")) }))
        .fallback(|| async { ApiError::NotFound("no such page".into()) })
        .with_state(state)
}

// ---------------------------------------------------------------- errors

/// An error answer: JSON `{"error": {"status", "message"}}`.
#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    NotFound(String),
    Timeout,
    Internal(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    fn message(&self) -> String {
        match self {
            ApiError::BadRequest(m) | ApiError::NotFound(m) | ApiError::Internal(m) => m.clone(),
            ApiError::Timeout => format!("the request took longer than {} s", REQUEST_TIMEOUT.as_secs()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"status": self.status().as_u16(), "message": self.message()}});
        (self.status(), Json(body)).into_response()
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// Run blocking index work off the async threads, within the time bound.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    match tokio::time::timeout(REQUEST_TIMEOUT, tokio::task::spawn_blocking(f)).await {
        Err(_) => Err(ApiError::Timeout),
        Ok(Err(join)) => Err(ApiError::Internal(format!("the request failed: {join}"))),
        Ok(Ok(r)) => r,
    }
}

// ---------------------------------------------------------------- parameters

/// Search parameters, as the API and the search page take them.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct SearchParams {
    pub q: Option<String>,
    pub issuer: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub year: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub in_force_on: Option<String>,
    pub clauses: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn date_param(name: &str, v: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    match nonempty(v) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ApiError::BadRequest(format!("{name}: '{s}' is not a date (YYYY-MM-DD)"))),
    }
}

fn number_param<T: std::str::FromStr>(name: &str, v: &Option<String>) -> Result<Option<T>, ApiError> {
    match nonempty(v) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| ApiError::BadRequest(format!("{name}: '{s}' is not a number"))),
    }
}

impl SearchParams {
    /// Validate into a search request.
    pub fn request(&self) -> Result<SearchRequest, ApiError> {
        let q = self.q.clone().unwrap_or_default();
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(ApiError::BadRequest(format!("q: the query is longer than {MAX_QUERY_CHARS} characters")));
        }
        let limit: usize = number_param("limit", &self.limit)?.unwrap_or(10);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::BadRequest(format!("limit: between 1 and {MAX_LIMIT}")));
        }
        let offset: usize = number_param("offset", &self.offset)?.unwrap_or(0);
        if offset > 10_000 {
            return Err(ApiError::BadRequest("offset: at most 10000".into()));
        }
        let clauses = matches!(nonempty(&self.clauses), Some("1" | "true" | "on" | "yes"));
        Ok(SearchRequest {
            query: q,
            issuer: nonempty(&self.issuer).map(str::to_string),
            doc_type: nonempty(&self.doc_type).map(str::to_string),
            year: number_param("year", &self.year)?,
            from: date_param("from", &self.from)?,
            to: date_param("to", &self.to)?,
            in_force_on: date_param("in_force_on", &self.in_force_on)?,
            clauses,
            limit,
            offset,
        })
    }
}

// ---------------------------------------------------------------- API

async fn api_health(State(st): State<Arc<AppState>>) -> Result<Json<serde_json::Value>, ApiError> {
    blocking(move || {
        let searcher = st.reader.searcher();
        let issues = st.ix.issues(&searcher)?;
        let documents: usize = issues.iter().map(|e| e.documents.len()).sum();
        Ok(Json(serde_json::json!({"status": "ok", "issues": issues.len(), "documents": documents})))
    })
    .await
}

async fn api_search(State(st): State<Arc<AppState>>, Query(p): Query<SearchParams>) -> Result<Json<SearchResponse>, ApiError> {
    let req = p.request()?;
    blocking(move || Ok(Json(search(&st.ix, &st.reader.searcher(), &req)?))).await
}

/// A document with what points at it and its status today.
#[derive(serde::Serialize)]
struct DocumentView {
    #[serde(flatten)]
    record: DocumentRecord,
    status: StatusReport,
    linked_from: Vec<crate::status::Decision>,
}

fn load_document(st: &AppState, id: &str) -> Result<DocumentView, ApiError> {
    let searcher = st.reader.searcher();
    let typed = resolve_id(id);
    let record = st.ix.document(&searcher, &typed.doc_id).ok_or_else(|| ApiError::NotFound(format!("no document {}", typed.doc_id)))?;
    let today = crate::clock::today();
    let status = status(&st.ix, &searcher, &record.id, today)?;
    let linked_from = incoming(&st.ix, &searcher, &record.id)?
        .into_iter()
        .map(|(src, l)| crate::status::Decision {
            doc_number: src.id.clone(),
            title: src.title.clone(),
            kind: l.kind,
            date: src.validity.effective_from.or(src.signed_date),
            until: l.until,
            provisions: l.provisions,
            evidence: l.evidence,
        })
        .collect();
    Ok(DocumentView { record, status, linked_from })
}

async fn api_document(State(st): State<Arc<AppState>>, UrlPath(id): UrlPath<String>) -> Result<Response, ApiError> {
    blocking(move || Ok(Json(load_document(&st, &id)?).into_response())).await
}

async fn api_provision(State(st): State<Arc<AppState>>, UrlPath(id): UrlPath<String>) -> Result<Response, ApiError> {
    blocking(move || {
        let typed = resolve_id(&id);
        let pid = typed.provision_id.ok_or_else(|| ApiError::BadRequest(format!("'{id}' names no provision (文号/第X条…)")))?;
        let searcher = st.reader.searcher();
        let d = st.ix.document(&searcher, &typed.doc_id).ok_or_else(|| ApiError::NotFound(format!("no document {}", typed.doc_id)))?;
        let p = match flatten(&d.provisions).into_iter().find(|p| p.id == pid) {
            Some(p) => serde_json::to_value(p).unwrap_or_default(),
            None => crate::clause::preamble_json(&d, &pid).ok_or_else(|| ApiError::NotFound(format!("no provision {pid}")))?,
        };
        let body = serde_json::json!({"provision": p, "document": {"id": d.id, "doc_number": d.doc_number, "title": d.title, "signed_date": d.signed_date}});
        Ok(Json(body).into_response())
    })
    .await
}

#[derive(Deserialize)]
struct OnParam {
    on: Option<String>,
}

async fn api_status(
    State(st): State<Arc<AppState>>,
    UrlPath(id): UrlPath<String>,
    Query(p): Query<OnParam>,
) -> Result<Json<StatusReport>, ApiError> {
    let on = date_param("on", &p.on)?.unwrap_or_else(crate::clock::today);
    blocking(move || {
        let typed = resolve_id(&id);
        Ok(Json(status(&st.ix, &st.reader.searcher(), &typed.doc_id, on)?))
    })
    .await
}

/// Which changes: `since=YYYY-MM-DD`, `last=1` (the last ingest's),
/// `watched=1` (the watch list's).
#[derive(Debug, Default, Deserialize, Clone)]
pub struct ChangesParams {
    pub since: Option<String>,
    pub last: Option<String>,
    pub watched: Option<String>,
}

fn flag(v: &Option<String>) -> bool {
    matches!(nonempty(v), Some("1" | "true" | "on" | "yes"))
}

impl ChangesParams {
    fn since(&self) -> Result<crate::changes::Since, ApiError> {
        use crate::changes::Since;
        Ok(match (flag(&self.last), date_param("since", &self.since)?) {
            (true, _) => Since::LastIngest,
            (false, Some(d)) => Since::Date(d),
            (false, None) => Since::All,
        })
    }
}

/// The changes `p` asks for, newest first.
fn load_changes(st: &AppState, p: &ChangesParams) -> Result<Vec<crate::changes::Change>, ApiError> {
    let since = p.since()?;
    let watch = if flag(&p.watched) {
        Some(crate::watch::WatchList::load(&st.ix.dir).map_err(|e| ApiError::Internal(e.to_string()))?)
    } else {
        None
    };
    Ok(crate::changes::list(&st.ix, &st.reader.searcher(), since, watch.as_ref())?)
}

async fn api_changes(
    State(st): State<Arc<AppState>>,
    Query(p): Query<ChangesParams>,
) -> Result<Json<crate::changes::ChangesReport>, ApiError> {
    p.since()?;
    blocking(move || Ok(Json(crate::changes::ChangesReport { changes: load_changes(&st, &p)? }))).await
}

/// `http://host:port` from the request's Host header (links in the feed
/// are absolute), or nothing (relative links) when it is absent or odd.
fn base_url(headers: &axum::http::HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let ok = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']'));
    if ok {
        format!("http://{host}")
    } else {
        String::new()
    }
}

async fn feed_atom(State(st): State<Arc<AppState>>, headers: axum::http::HeaderMap, Query(p): Query<ChangesParams>) -> Response {
    let watched = flag(&p.watched);
    let p = ChangesParams { watched: p.watched, ..Default::default() };
    let base = base_url(&headers);
    match blocking(move || load_changes(&st, &p)).await {
        Ok(changes) => {
            let o = crate::feed::FeedOptions { base, watched, empty_updated: crate::clock::now() };
            ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], crate::feed::atom(&changes, &o)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

// ---------------------------------------------------------------- pages

/// Escape text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn enc(s: &str) -> String {
    urlencoding::encode(s).into_owned()
}

fn badge(s: Status) -> String {
    format!(r#"<span class="badge s-{}">{}</span>"#, s.as_str(), s.label_zh())
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{} · 公报检索</title><link rel="stylesheet" href="/style.css"></head>
<body><header><a class="brand" href="/">公报检索</a><a href="/">检索</a><a href="/status">效力查询</a><a href="/changes">最近变化</a></header>
<main>{}</main></body></html>"#,
        esc(title),
        body
    ))
}

fn html_error(e: ApiError) -> Response {
    let code = e.status();
    (code, page("出错了", &format!(r#"<p class="error">{}</p><p><a href="/">返回检索</a></p>"#, esc(&e.message())))).into_response()
}

/// The anchor of a provision inside its document page: an article by its
/// label (`第十五条`), anything else by its path (`四-（一）-1`).
pub fn anchor(doc_id: &str, p: &Provision) -> String {
    anchor_from_id(doc_id, &p.id)
}

fn status_of(s: &Option<String>) -> Status {
    serde_json::from_value(serde_json::Value::String(s.clone().unwrap_or_default())).unwrap_or(Status::Unknown)
}

async fn page_search(State(st): State<Arc<AppState>>, Query(p): Query<SearchParams>) -> Response {
    let req = match p.request() {
        Ok(r) => r,
        Err(e) => return html_error(e),
    };
    let has_query = nonempty(&p.q).is_some() || nonempty(&p.issuer).is_some() || nonempty(&p.doc_type).is_some();
    let result = if has_query {
        let req = req.clone();
        let st2 = st.clone();
        match blocking(move || Ok(search(&st2.ix, &st2.reader.searcher(), &req)?)).await {
            Ok(r) => Some(r),
            Err(e) => return html_error(e),
        }
    } else {
        None
    };
    let v = |o: &Option<String>| esc(o.as_deref().unwrap_or(""));
    let checked = if req.clauses { " checked" } else { "" };
    let mut body = format!(
        r#"<form class="search" action="/" method="get" role="search">
<input type="search" name="q" value="{}" placeholder="关键词、“短语”、文号（如 国办发〔2019〕57号）" autofocus aria-label="检索词">
<button type="submit">检索</button>
<div class="filters">
<label>发文机关 <input type="text" name="issuer" value="{}" size="10"></label>
<label>文种 <input type="text" name="type" value="{}" size="4"></label>
<label>年份 <input type="text" name="year" value="{}" size="4"></label>
<label>成文日期 <input type="date" name="from" value="{}"> 至 <input type="date" name="to" value="{}"></label>
<label>在…日有效 <input type="date" name="in_force_on" value="{}"></label>
<label><input type="checkbox" name="clauses" value="1"{checked}> 检索条款</label>
</div></form>"#,
        v(&p.q),
        v(&p.issuer),
        v(&p.doc_type),
        v(&p.year),
        v(&p.from),
        v(&p.to),
        v(&p.in_force_on)
    );
    let Some(r) = result else {
        body.push_str("<p class=\"meta\">输入关键词、短语或文号检索公报文件；勾选“检索条款”可直接检索条文。</p>");
        return page("检索", &body).into_response();
    };
    // Facets: each value a link that adds the filter.
    let mut facets = String::from(r#"<aside class="facets">"#);
    let names = [("issuer", "发文机关"), ("doc_type", "文种"), ("year", "年份"), ("status", "效力状态")];
    for (key, label) in names {
        let Some(counts) = r.facets.get(key) else { continue };
        facets.push_str(&format!("<h3>{label}</h3><ul>"));
        for (value, n) in counts {
            let shown = if key == "status" { status_of(&Some(value.clone())).label_zh().to_string() } else { value.clone() };
            let param = match key {
                "issuer" => Some("issuer"),
                "doc_type" => Some("type"),
                "year" => Some("year"),
                _ => None,
            };
            match param {
                Some(param) => {
                    let mut q: Vec<(String, String)> = vec![("q".into(), p.q.clone().unwrap_or_default())];
                    for (k, val) in [("issuer", &p.issuer), ("type", &p.doc_type), ("year", &p.year), ("in_force_on", &p.in_force_on)] {
                        if k != param {
                            if let Some(x) = nonempty(val) {
                                q.push((k.into(), x.into()));
                            }
                        }
                    }
                    if req.clauses {
                        q.push(("clauses".into(), "1".into()));
                    }
                    q.push((param.into(), value.clone()));
                    let qs: Vec<String> = q.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
                    facets.push_str(&format!(r#"<li><a href="/?{}">{}</a> {n}</li>"#, esc(&qs.join("&")), esc(&shown)));
                }
                None => facets.push_str(&format!("<li>{} {n}</li>", esc(&shown))),
            }
        }
        facets.push_str("</ul>");
    }
    facets.push_str("</aside>");
    let mut hits = format!(r#"<div><p class="meta">共 {} 条结果</p>"#, r.total);
    if r.partial {
        hits.push_str(&format!(r#"<p class="meta partial">{}</p>"#, crate::query::PARTIAL_NOTE_ZH));
    }
    if let Some(m) = &r.approximate {
        hits.push_str(&format!(r#"<p class="meta approximate">{}</p>"#, esc(&m.note_zh())));
    }
    for i in &r.ignored {
        hits.push_str(&format!(r#"<p class="meta">已忽略：{}</p>"#, esc(i)));
    }
    hits.push_str(r#"<ol class="hits">"#);
    for h in &r.hits {
        let doc_href = format!("/doc/{}", enc(doc_for_hit(h)));
        let (href, heading) = match (&h.provision, h.kind.as_str()) {
            (Some(p), "provision") => {
                (format!("{doc_href}#{}", enc(&anchor_from_id(doc_for_hit(h), &p.id))), format!("{} {}", esc(&h.title), esc(&p.label)))
            }
            _ => (doc_href.clone(), esc(&h.title)),
        };
        hits.push_str(&format!(
            r#"<li><a class="title" href="{}">{}</a> {}<div class="meta">{} · {} · {}</div><p class="snippet">{}</p>"#,
            esc(&href),
            heading,
            badge(status_of(&h.status)),
            esc(h.doc_number.as_deref().unwrap_or("无文号")),
            h.signed_date.map(|d| d.to_string()).unwrap_or_default(),
            esc(&h.issuer.join("、")),
            h.snippet
        ));
        if let (Some(p), "document") = (&h.provision, h.kind.as_str()) {
            // The provision's place: 四 › （二） › 5, or 第四章 › 第十二条.
            let place = p.id.strip_prefix(h.id.as_str()).unwrap_or(&p.id).trim_start_matches('/').replace('/', " › ");
            hits.push_str(&format!(
                r#"<div class="meta">最相关条款：<a href="{}#{}">{}</a>（第{}页）</div>"#,
                esc(&doc_href),
                enc(&anchor_from_id(&h.id, &p.id)),
                esc(&place),
                p.page
            ));
        }
        hits.push_str("</li>");
    }
    hits.push_str("</ol>");
    // Paging.
    let shown_to = req.offset + r.hits.len();
    if shown_to < r.total {
        let mut q: Vec<String> = Vec::new();
        for (k, val) in [
            ("q", &p.q),
            ("issuer", &p.issuer),
            ("type", &p.doc_type),
            ("year", &p.year),
            ("from", &p.from),
            ("to", &p.to),
            ("in_force_on", &p.in_force_on),
        ] {
            if let Some(x) = nonempty(val) {
                q.push(format!("{k}={}", enc(x)));
            }
        }
        if req.clauses {
            q.push("clauses=1".into());
        }
        q.push(format!("offset={shown_to}"));
        hits.push_str(&format!(r#"<div class="pager"><a href="/?{}">下一页</a></div>"#, esc(&q.join("&"))));
    }
    hits.push_str("</div>");
    body.push_str(&format!(r#"<div class="layout">{facets}{hits}</div>"#));
    page(&format!("{} · 检索", p.q.as_deref().unwrap_or("")), &body).into_response()
}

/// The document id of a hit (a provision hit's id starts with it).
fn doc_for_hit(h: &crate::query::Hit) -> &str {
    match &h.provision {
        Some(p) if h.kind == "provision" => doc_id_of(&p.id, h),
        _ => &h.id,
    }
}

/// The document id inside a provision id, knowing the hit's 文号.
fn doc_id_of<'a>(pid: &'a str, h: &crate::query::Hit) -> &'a str {
    if let Some(dn) = &h.doc_number {
        if pid.starts_with(dn.as_str()) {
            return &pid[..dn.len()];
        }
    }
    // Ids of documents without a 文号: `<issue id>#<n>/<path>`.
    match pid.find('#') {
        Some(h) => pid[h..].find('/').map(|i| &pid[..h + i]).unwrap_or(pid),
        None => pid.split('/').next().unwrap_or(pid),
    }
}

/// The anchor of the provision `pid` of document `doc_id`.
fn anchor_from_id(doc_id: &str, pid: &str) -> String {
    let path = pid.strip_prefix(doc_id).map(|s| s.trim_start_matches('/')).unwrap_or(pid);
    let last = path.rsplit('/').next().unwrap_or(path);
    if last.starts_with('第') && last.contains('条') {
        last.to_string()
    } else {
        path.replace('/', "-")
    }
}

fn render_provisions(doc_id: &str, ps: &[Provision], out: &mut String) {
    for p in ps {
        let a = anchor(doc_id, p);
        out.push_str(&format!(
            r##"<div class="prov" id="{}"><p><span class="label">{}</span> {}<a class="cite" href="#{}" title="本条链接">¶ 第{}页</a></p>"##,
            esc(&a),
            esc(&p.label),
            esc(&p.text).replace('\n', "<br>"),
            esc(&enc(&a)),
            p.page
        ));
        render_provisions(doc_id, &p.children, out);
        out.push_str("</div>");
    }
}

/// A date, or 未定 when there is none.
fn show_date(d: Option<NaiveDate>) -> String {
    d.map(|x| x.to_string()).unwrap_or_else(|| "未定".into())
}

/// The sentences that fix a window, then the documents that decide the
/// status (repealed by…, extended by…), each with its sentence.
fn render_evidence(b: &mut String, evidence: &[String], decided_by: &[crate::status::Decision], with_titles: bool) {
    for e in evidence {
        b.push_str(&format!("<blockquote>{}</blockquote>", esc(e)));
    }
    for dec in decided_by {
        let title = if with_titles { format!(" {}", esc(&dec.title)) } else { String::new() };
        b.push_str(&format!(
            r#"<p>{}：<a href="/doc/{}">{}</a>{title}（{}起）</p><blockquote>{}</blockquote>"#,
            kind_zh(dec.kind),
            enc(&dec.doc_number),
            esc(&dec.doc_number),
            show_date(dec.date),
            esc(&dec.evidence)
        ));
    }
}

fn kind_zh(k: crate::analyse::LinkKind) -> &'static str {
    use crate::analyse::LinkKind::*;
    match k {
        Repeals => "废止",
        RepealsPart => "部分废止",
        DeclaresInvalid => "宣布失效",
        Supersedes => "替代",
        Amends => "修改",
        Extends => "延长有效期",
        Cites => "引用",
        SupervisionListed => "挂牌督办",
        SupervisionClosed => "销案摘牌",
    }
}

fn basis_zh(b: Option<crate::analyse::Basis>) -> &'static str {
    use crate::analyse::Basis::*;
    match b {
        Some(StatedDate) => "文中载明的日期",
        Some(RelativeToPublication) => "自公布（印发）之日起算",
        Some(Term) => "有效期限",
        Some(Extended) => "后续文件延长",
        Some(Default) | None => "未载明：自成文日期起，未定终止日期",
    }
}

async fn page_document(State(st): State<Arc<AppState>>, UrlPath(id): UrlPath<String>) -> Response {
    let st2 = st.clone();
    let view = match blocking(move || {
        let v = load_document(&st2, &id)?;
        // Which link targets are documents of the corpus (to link to them).
        let searcher = st2.reader.searcher();
        let known: HashMap<String, bool> = v
            .record
            .links
            .iter()
            .filter_map(|l| l.target.clone())
            .map(|t| {
                let k = st2.ix.document(&searcher, &t).is_some();
                (t, k)
            })
            .collect();
        Ok((v, known))
    })
    .await
    {
        Ok(v) => v,
        Err(e) => return html_error(e),
    };
    let (v, known) = view;
    let d = &v.record;
    let s = &v.status;
    let mut b = format!(r#"<h1>{} {}</h1>"#, esc(&d.title), badge(s.status));
    b.push_str(r#"<table class="fields">"#);
    let row = |k: &str, val: &str| format!("<tr><th>{k}</th><td>{val}</td></tr>");
    b.push_str(&row("文号", &esc(d.doc_number.as_ref().map(|x| x.to_string()).as_deref().unwrap_or("无"))));
    b.push_str(&row("发文机关", &esc(&d.issuer.join("、"))));
    b.push_str(&row("文种", &esc(d.doc_type.as_deref().unwrap_or(""))));
    b.push_str(&row("主送机关", &esc(d.addressees.as_deref().unwrap_or(""))));
    b.push_str(&row("成文日期", &d.signed_date.map(|x| x.to_string()).unwrap_or_default()));
    b.push_str(&row("出处", &format!("{}，第{}–{}页", esc(&d.issue.id), d.pages[0], d.pages[1])));
    if let Some(i) = &d.instrument {
        b.push_str(&row("所附文件", &format!("{}（{}）", esc(&i.title), esc(i.doc_type.as_deref().unwrap_or("")))));
    }
    b.push_str("</table>");
    // Validity.
    b.push_str(&format!(
        r#"<section id="validity"><h2>效力</h2><p>今日（{}）状态：{}</p><p>生效日期 {} · 失效日期 {} · 依据：{}{}</p>"#,
        s.as_of,
        badge(s.status),
        show_date(s.effective_from),
        show_date(s.effective_until),
        basis_zh(s.basis),
        if d.validity.provisional { "（暂定）" } else { "" }
    ));
    render_evidence(&mut b, &d.validity.evidence, &s.decided_by, false);
    if let Some(c) = &d.campaign {
        b.push_str(&format!(r#"<p class="meta">工作期限（非效力期限）：{} 至 {}</p>"#, show_date(c.from), show_date(c.until)));
    }
    b.push_str("</section>");
    // Links both ways.
    if !d.links.is_empty() || !v.linked_from.is_empty() {
        b.push_str(r#"<section id="links"><h2>关联文件</h2>"#);
        if !v.linked_from.is_empty() {
            b.push_str("<h3>被以下文件提及</h3><ul>");
            for l in &v.linked_from {
                b.push_str(&format!(
                    r#"<li>{}于 <a href="/doc/{}">{}</a>（{}）<blockquote>{}</blockquote></li>"#,
                    kind_zh(l.kind),
                    enc(&l.doc_number),
                    esc(&l.title),
                    esc(&l.doc_number),
                    esc(&l.evidence)
                ));
            }
            b.push_str("</ul>");
        }
        if !d.links.is_empty() {
            b.push_str("<h3>本文件涉及</h3><ul>");
            for l in &d.links {
                let target = l.target.clone().unwrap_or_default();
                let name = match &l.target_title {
                    Some(t) => format!(
                        "《{}》{}",
                        esc(t),
                        if target.is_empty() || target == *t { String::new() } else { format!("（{}）", esc(&target)) }
                    ),
                    None => esc(&target),
                };
                let linked = match known.get(&target) {
                    Some(true) => format!(r#"<a href="/doc/{}">{name}</a>"#, enc(&target)),
                    _ if crate::DocNumber::parse(&target).is_some() => format!(r#"<a href="/status?id={}">{name}</a>"#, enc(&target)),
                    _ => name,
                };
                b.push_str(&format!("<li>{}：{linked}</li>", kind_zh(l.kind)));
            }
            b.push_str("</ul>");
        }
        b.push_str("</section>");
    }
    // Provisions.
    if !d.provisions.is_empty() {
        b.push_str(r#"<section id="provisions"><h2>条文</h2>"#);
        render_provisions(&d.id, &d.provisions, &mut b);
        b.push_str("</section>");
    }
    // The text; its start is the anchor of the preamble clause (…/正文).
    b.push_str(&format!(
        r#"<section id="text"><h2 id="{}">全文</h2><p>{}</p></section>"#,
        crate::clause::PREAMBLE,
        esc(&d.text).replace('\n', "<br>")
    ));
    page(&d.title, &b).into_response()
}

#[derive(Deserialize, Default)]
struct StatusParams {
    id: Option<String>,
    on: Option<String>,
}

async fn page_status(State(st): State<Arc<AppState>>, Query(p): Query<StatusParams>) -> Response {
    let on = match date_param("on", &p.on) {
        Ok(d) => d,
        Err(e) => return html_error(e),
    };
    let mut b = format!(
        r#"<h1>效力查询</h1><form class="search" action="/status" method="get">
<input type="text" name="id" value="{}" placeholder="文号，如 国办发〔2019〕57号" aria-label="文号">
<input type="date" name="on" value="{}" aria-label="日期"><button type="submit">查询</button></form>"#,
        esc(p.id.as_deref().unwrap_or("")),
        esc(p.on.as_deref().unwrap_or(""))
    );
    if let Some(id) = nonempty(&p.id).map(str::to_string) {
        if id.chars().count() > MAX_QUERY_CHARS {
            return html_error(ApiError::BadRequest("文号过长".into()));
        }
        let on = on.unwrap_or_else(crate::clock::today);
        let st2 = st.clone();
        let r = match blocking(move || Ok(status(&st2.ix, &st2.reader.searcher(), &resolve_id(&id).doc_id, on)?)).await {
            Ok(r) => r,
            Err(e) => return html_error(e),
        };
        let title = r.title.as_deref().map(|t| format!("《{}》", esc(t))).unwrap_or_default();
        let link = if r.known_in_corpus { format!(r#"<a href="/doc/{}">{}</a>"#, enc(&r.id), esc(&r.id)) } else { esc(&r.id) };
        if let Some(m) = &r.approximate {
            b.push_str(&format!(r#"<p class="meta approximate">{}</p>"#, esc(&m.note_zh())));
        }
        b.push_str(&format!(r#"<p class="answer">{link} {title} 在 {} {}</p>"#, r.as_of, badge(r.status)));
        if r.known_in_corpus {
            b.push_str(&format!(
                "<p>生效日期 {} · 失效日期 {} · 依据：{}</p>",
                show_date(r.effective_from),
                show_date(r.effective_until),
                basis_zh(r.basis)
            ));
        } else {
            b.push_str(r#"<p class="meta">本库未收录该文件，以下依据来自提及它的文件。</p>"#);
        }
        render_evidence(&mut b, &r.evidence, &r.decided_by, true);
    }
    page("效力查询", &b).into_response()
}

/// The badge of a change's kind.
fn change_badge(k: crate::changes::ChangeKind) -> String {
    format!(r#"<span class="badge c-{}">{}</span>"#, k.as_str(), k.label_zh())
}

async fn page_changes(State(st): State<Arc<AppState>>, Query(p): Query<ChangesParams>) -> Response {
    let st2 = st.clone();
    let p2 = p.clone();
    let changes = match blocking(move || load_changes(&st2, &p2)).await {
        Ok(c) => c,
        Err(e) => return html_error(e),
    };
    let watched = flag(&p.watched);
    let checked = if watched { " checked" } else { "" };
    let feed = if watched { "/feed.atom?watched=1" } else { "/feed.atom" };
    let mut b = format!(
        r#"<h1>最近变化</h1><form class="search" action="/changes" method="get">
<label>自 <input type="date" name="since" value="{}" aria-label="录入日期起"></label>
<label><input type="checkbox" name="watched" value="1"{checked}> 仅关注的文件</label>
<button type="submit">筛选</button></form>
<p class="meta">每次入库新发现的变化：新增文件、废止、宣布失效、修改、延长有效期、有效期届满、引用了本库未收录的文件。<a href="{feed}">订阅（Atom）</a></p>"#,
        esc(p.since.as_deref().unwrap_or(""))
    );
    if changes.is_empty() {
        b.push_str(r#"<p class="meta">没有变化。</p>"#);
    }
    let shown = &changes[..changes.len().min(crate::feed::MAX_ENTRIES)];
    if shown.len() < changes.len() {
        b.push_str(&format!(r#"<p class="meta">共 {} 项，显示最新的 {} 项；可按录入日期筛选。</p>"#, changes.len(), shown.len()));
    }
    let mut at = None;
    for c in shown {
        if at != Some(c.ingested) {
            if at.is_some() {
                b.push_str("</ol>");
            }
            at = Some(c.ingested);
            let n = changes.iter().filter(|x| x.ingested == c.ingested).count();
            b.push_str(&format!(
                r#"<h2>{} 入库 · {n} 项变化</h2><ol class="changes">"#,
                esc(&c.ingested.format("%Y-%m-%d %H:%M").to_string())
            ));
        }
        b.push_str(&format!(
            r#"<li id="c-{}">{} <a class="title" href="{}">{}</a><div class="meta">{}</div>"#,
            esc(&c.id),
            change_badge(c.kind),
            esc(&crate::feed::doc_path(c)),
            esc(&crate::feed::doc_name(c)),
            esc(&crate::feed::effect_zh(c))
        ));
        if let Some(by) = &c.by {
            b.push_str(&format!(
                r#"<div class="meta">{}：<a href="/doc/{}">{}</a></div>"#,
                if c.kind == crate::changes::ChangeKind::Dangling { "提及它的文件" } else { "依据" },
                enc(&by.id),
                esc(&crate::feed::named(by.doc_number.as_deref(), Some(&by.title), &by.id))
            ));
        }
        if let Some(e) = &c.evidence {
            b.push_str(&format!("<blockquote>{}</blockquote>", esc(e)));
        }
        b.push_str("</li>");
    }
    if at.is_some() {
        b.push_str("</ol>");
    }
    page("最近变化", &b).into_response()
}

/// Serve until interrupted (Ctrl-C). `ready` is called with the bound
/// address once the server listens.
pub async fn run(state: Arc<AppState>, addr: std::net::SocketAddr, ready: impl FnOnce(std::net::SocketAddr)) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    ready(listener.local_addr()?);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
