# ---------------------------------------------------------------------------------------------
# Files of an experiment by kind, in the names of Pluto's R package
# ---------------------------------------------------------------------------------------------

# The counts kinds of pluto_get_counts and the file kind each is stored as.
pluto_counts_kinds <- c(
  raw = "assay_data", cpm = "assay_data_cpm",
  tpm_gene = "tpm_gene", tpm_transcript = "tpm_transcript"
)

#' The files of an experiment of one kind
#'
#' @param data_type attachment, external, bam, seurat, qc_report, bigwig, consensus_bed,
#'   assay_data_cpm, tpm_gene or tpm_transcript.
#' @return A list of file records (uuid, filename, display_name, data_type, file_size,
#'   created_at); empty when there is none.
pluto_list_experiment_files <- function(experiment_id, data_type) {
  path <- paste0("experiments/", pluto_path_part(experiment_id, "experiment_id"), "/files/")
  answer <- pluto_get_object(path, list(data_type = data_type))
  group <- answer[[1]]
  if (is.null(group$items)) list() else group$items
}

# Save one file record into dest_dir under its own name; the local path.
pluto_download_file_record <- function(experiment_id, record, dest_dir) {
  if (!dir.exists(dest_dir)) dir.create(dest_dir, recursive = TRUE)
  path <- paste0(
    "experiments/", pluto_path_part(experiment_id, "experiment_id"),
    "/files/", pluto_path_part(record$uuid, "file uuid"), "/download/"
  )
  link <- pluto_get_object(path, list(filename = record$filename))
  dest <- file.path(dest_dir, basename(record$filename))
  response <- httr::GET(link$url, httr::write_disk(dest, overwrite = TRUE), httr::timeout(600))
  if (httr::status_code(response) >= 400) {
    unlink(dest)
    stop("Downloading ", record$filename, " failed with HTTP ", httr::status_code(response), ".",
      call. = FALSE
    )
  }
  dest
}

# Download the files of a kind (only those of file_uuids when given); their local paths.
pluto_download_files_of_kind <- function(experiment_id, data_type, dest_dir, file_uuids) {
  files <- pluto_list_experiment_files(experiment_id, data_type)
  if (!is.null(file_uuids)) {
    files <- Filter(function(f) f$uuid %in% file_uuids, files)
    missing <- setdiff(file_uuids, vapply(files, function(f) f$uuid, ""))
    if (length(missing) > 0) {
      stop("This experiment has no ", data_type, " file ", paste(missing, collapse = ", "), ".",
        call. = FALSE
      )
    }
  }
  vapply(files, function(f) pluto_download_file_record(experiment_id, f, dest_dir), "")
}

#' An experiment's counts as a data frame
#'
#' @param kind "raw" (the assay table), "cpm" (counts per million, which Pluto makes for
#'   every raw-count version), "tpm_gene" or "tpm_transcript" (from pipelines).
#' @param dest_dir Where the downloaded file is kept (default tempdir()).
#' @return The table with its columns as stored.
pluto_get_counts <- function(experiment_id, kind = "raw", dest_dir = tempdir()) {
  if (!is.character(kind) || length(kind) != 1 || !(kind %in% names(pluto_counts_kinds))) {
    stop("kind must be one of ", paste0('"', names(pluto_counts_kinds), '"', collapse = ", "),
      ".",
      call. = FALSE
    )
  }
  if (kind == "raw") {
    return(pluto_read_assay_data(experiment_id))
  }
  files <- pluto_list_experiment_files(experiment_id, pluto_counts_kinds[[kind]])
  if (length(files) == 0) {
    stop(pluto_api_condition(
      paste0("This experiment has no ", kind, " counts yet."), 404, "not_found", NULL
    ))
  }
  # The newest file holds the counts of the current assay version.
  newest <- files[[length(files)]]
  utils::read.csv(pluto_download_file_record(experiment_id, newest, dest_dir),
                  check.names = FALSE, stringsAsFactors = FALSE)
}

#' The BigWig coverage files of an experiment
pluto_list_bigwigs <- function(experiment_id) {
  pluto_list_experiment_files(experiment_id, "bigwig")
}

#' Download BigWig files (all, or those of file_uuids); their local paths
pluto_download_bigwigs <- function(experiment_id, dest_dir = tempdir(), file_uuids = NULL) {
  pluto_download_files_of_kind(experiment_id, "bigwig", dest_dir, file_uuids)
}

#' The consensus peak (BED) files of an experiment
pluto_list_peaks <- function(experiment_id) {
  pluto_list_experiment_files(experiment_id, "consensus_bed")
}

#' Download consensus peak files (all, or those of file_uuids); their local paths
pluto_download_peaks <- function(experiment_id, dest_dir = tempdir(), file_uuids = NULL) {
  pluto_download_files_of_kind(experiment_id, "consensus_bed", dest_dir, file_uuids)
}

#' The BAM files of an experiment
pluto_list_bam_files <- function(experiment_id) {
  pluto_list_experiment_files(experiment_id, "bam")
}

#' The Seurat (.rds) files of an experiment: the raw object first, then the final one
pluto_list_seurat_objects <- function(experiment_id) {
  pluto_list_experiment_files(experiment_id, "seurat")
}

#' Save an experiment's raw or final Seurat object as an RDS file
#'
#' @param seurat_type "raw" (the first Seurat file) or "final" (the second).
#' @param dest_filename Where to save it (default "<experiment>_<type>_seurat_object.rds").
#' @return The path of the saved file.
pluto_download_seurat_object <- function(experiment_id, seurat_type, silent = FALSE,
                                         dest_filename = NULL) {
  position <- match(seurat_type, c("raw", "final"))
  if (is.na(position)) {
    stop("seurat_type must be \"raw\" or \"final\".", call. = FALSE)
  }
  files <- pluto_list_seurat_objects(experiment_id)
  if (length(files) < position) {
    stop("This experiment has no ", seurat_type, " Seurat object.", call. = FALSE)
  }
  if (is.null(dest_filename)) {
    dest_filename <- paste0(experiment_id, "_", seurat_type, "_seurat_object.rds")
  }
  saved <- pluto_download_file_record(experiment_id, files[[position]], tempdir())
  file.copy(saved, dest_filename, overwrite = TRUE)
  unlink(saved)
  dest_filename
}

#' Read an experiment's raw or final Seurat object
#'
#' @return A list with status_code (200) and obj, the object readRDS made of the file.
pluto_get_seurat_object <- function(experiment_id, seurat_type, silent = FALSE) {
  dest <- tempfile(fileext = ".rds")
  pluto_download_seurat_object(experiment_id, seurat_type, dest_filename = dest)
  obj <- readRDS(dest)
  unlink(dest)
  list(status_code = 200L, obj = obj)
}
