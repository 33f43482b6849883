// ChickGraph schema: uniqueness constraints (each backs the MERGE of one node kind) and the
// indexes the named queries use. Every statement is IF NOT EXISTS (or IF EXISTS), so applying
// it is idempotent.
CREATE CONSTRAINT page_path IF NOT EXISTS FOR (n:Page) REQUIRE n.path IS UNIQUE;
CREATE CONSTRAINT gene_key IF NOT EXISTS FOR (n:Gene) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT species_key IF NOT EXISTS FOR (n:Species) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT structure_key IF NOT EXISTS FOR (n:AnatomicalStructure) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT stage_key IF NOT EXISTS FOR (n:DevelopmentalStage) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT image_key IF NOT EXISTS FOR (n:Image) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT ortholog_row_key IF NOT EXISTS FOR (n:OrthologRow) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT source_key IF NOT EXISTS FOR (n:Source) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT publication_key IF NOT EXISTS FOR (n:Publication) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT ingest_run_id IF NOT EXISTS FOR (n:IngestRun) REQUIRE n.run_id IS UNIQUE;
CREATE CONSTRAINT ingest_lock_name IF NOT EXISTS FOR (n:IngestLock) REQUIRE n.name IS UNIQUE;
CREATE INDEX gene_symbol IF NOT EXISTS FOR (n:Gene) ON (n.symbol);
CREATE INDEX gene_taxon_symbol IF NOT EXISTS FOR (n:Gene) ON (n.taxon_id, n.symbol);
// A species' genes in key order: `ortholog-genes-in-tissue` walks them (ORDER BY taxon_id, key:
// the index's own order, no sort) and stops at its limit when a structure holds many genes.
CREATE INDEX gene_taxon_key IF NOT EXISTS FOR (n:Gene) ON (n.taxon_id, n.key);
CREATE INDEX gene_ncbi IF NOT EXISTS FOR (n:Gene) ON (n.ncbi_id);
CREATE INDEX gene_ensembl IF NOT EXISTS FOR (n:Gene) ON (n.ensembl_id);
CREATE INDEX gene_ensembl_ids IF NOT EXISTS FOR (n:Gene) ON (n.ensembl_ids);
CREATE INDEX stage_ordinal IF NOT EXISTS FOR (n:DevelopmentalStage) ON (n.ordinal);
CREATE INDEX structure_name IF NOT EXISTS FOR (n:AnatomicalStructure) ON (n.name);
CREATE INDEX image_url IF NOT EXISTS FOR (n:Image) ON (n.image_url);
// Stage ordinal and image count together: a range on the ordinal seeks it. `stage-atlas`
// summed images from it until it read the (:Site) totals; no query reads the image count
// half now. It replaces the single-property index of earlier versions, dropped here so that
// a database loaded before keeps one index, not two.
CREATE INDEX expressed_in_stage_images IF NOT EXISTS
FOR ()-[r:EXPRESSED_IN]-() ON (r.stage_ordinal, r.image_count);
DROP INDEX expressed_in_stage IF EXISTS;
CREATE INDEX expressed_in_stage_key IF NOT EXISTS FOR ()-[r:EXPRESSED_IN]-() ON (r.stage_key);
CREATE INDEX expressed_in_site IF NOT EXISTS FOR ()-[r:EXPRESSED_IN]-() ON (r.site);
// (:Site) lists of gene ranks and image counts, derived from the edges
// (cypher/load/sites.cypher): coexpressed, genes-in-tissue and phenotype-orthologs
CREATE CONSTRAINT site_key IF NOT EXISTS FOR (n:Site) REQUIRE n.key IS UNIQUE;
// `stage-atlas`: the sites of one stage
CREATE INDEX site_stage_ordinal IF NOT EXISTS FOR (n:Site) ON (n.stage_ordinal);
CREATE INDEX gene_site_rank IF NOT EXISTS FOR (n:Gene) ON (n.site_rank);
// genes-in-tissue and phenotype-orthologs summed image counts from this index until they read
// the site lists; dropped so that a database loaded before does not keep updating it
DROP INDEX expressed_in_site_images IF EXISTS;
CREATE INDEX ingest_run_started IF NOT EXISTS FOR (n:IngestRun) ON (n.started_at);
CREATE CONSTRAINT graph_meta_key IF NOT EXISTS FOR (n:GraphMeta) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT period_key IF NOT EXISTS FOR (n:DevelopmentalPeriod) REQUIRE n.key IS UNIQUE;
CREATE INDEX names_ensembl IF NOT EXISTS FOR ()-[r:NAMES]-() ON (r.ensembl_id);
CREATE INDEX ortholog_row_symbol IF NOT EXISTS FOR (n:OrthologRow) ON (n.symbol);
CREATE CONSTRAINT omim_entry_mim_id IF NOT EXISTS FOR (n:OmimEntry) REQUIRE n.mim_id IS UNIQUE;
CREATE CONSTRAINT enrichment_key IF NOT EXISTS FOR (n:Enrichment) REQUIRE n.key IS UNIQUE;
CREATE INDEX gene_ann_symbol IF NOT EXISTS FOR (n:Gene) ON (n.ann_symbol);
CREATE INDEX gene_ann_source IF NOT EXISTS FOR (n:Gene) ON (n.ann_source);
CREATE INDEX gene_ann_review IF NOT EXISTS FOR (n:Gene) ON (n.ann_review);
CREATE CONSTRAINT process_term_name IF NOT EXISTS FOR (n:ProcessTerm) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT facet_key IF NOT EXISTS FOR (n:Facet) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT data_file_path IF NOT EXISTS FOR (n:DataFile) REQUIRE n.path IS UNIQUE;
CREATE INDEX facet_name IF NOT EXISTS FOR (n:Facet) ON (n.name);
CREATE INDEX facet_name_lower IF NOT EXISTS FOR (n:Facet) ON (n.name_lower);
