/** The provider's consumer as a module: langchain4j-core is an automatic module named after its jar. */
@SuppressWarnings("requires-automatic")
module rwkvx.langchain4j.consumer {
    requires io.rwkvx;
    requires langchain4j.core;
}
